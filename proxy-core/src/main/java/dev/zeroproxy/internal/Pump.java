package dev.zeroproxy.internal;

import dev.zeroproxy.Forwarding;
import dev.zeroproxy.ProxyConfig;
import dev.zeroproxy.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * One direction of a relay: the handler on its source channel, writing to its sink.
 *
 * <p>Zero-copy: the pooled direct buffer the source read is written to the sink as is; its
 * reference passes with the write and the sink releases it once sent (or on close), so this
 * class never retains, copies or releases a payload buffer itself (except the ones it holds
 * while {@link PumpState#WAITING}, released if the pair closes first).
 *
 * <p>Backpressure: while the sink holds more than its high water mark the source stops
 * reading ({@code AUTO_READ} off), and starts again when the sink drains below the low mark,
 * so a slow reader costs the proxy at most a water mark of memory per direction. Proxy-wide,
 * what the sink still holds after each flush is reported to the {@link MemoryBudget}, which
 * may pause this direction until its sink has taken all of it.
 *
 * <p>Splice ({@link Forwarding#SPLICE}, or {@link Forwarding#AUTO} once the direction is a bulk
 * transfer: {@link #shouldSwitchToSplice}): the transport's {@link Transport.Splicer} moves the
 * bytes in the kernel from then on; this pump only counts them, and at end of stream queues what
 * the splice left behind.
 *
 * <p>Half-close: the source's EOF becomes the sink's {@code shutdownOutput()}, sent only after
 * every byte before it has been flushed; the direction is then finished.
 *
 * <p>Its states and their transitions are {@link PumpState}'s; every change goes through
 * {@link #moveTo}.
 *
 * <p>Not sharable: one instance per source channel, used only on that channel's event loop.
 */
final class Pump extends ChannelInboundHandlerAdapter
        implements CountingRecvByteBufAllocator.ReadCounter, SinkBacklog.Reader {
    /**
     * AUTO's second condition: the last read took at least this much, so the source's socket had
     * that much queued at once, which a request/response or small-message exchange does not do.
     * (Reads are at most 64 KiB; each full read lets the next one be larger, so a bulk transfer
     * gets there within a few reads, about ten after a long spell of small ones.) See
     * {@link #shouldSwitchToSplice}.
     */
    static final int BULK_READ_BYTES = 16 * 1024;

    private final PumpOwner owner;
    private final Direction direction;
    /** The transport's splice, when forwarding is SPLICE or AUTO; otherwise null. */
    private final Transport.Splicer splicer;
    /** Bytes to copy before switching to splice: 0 for SPLICE, the threshold for AUTO. */
    private final long copyBeforeSplice;
    private final int splicePipeSize;
    private PumpState state = PumpState.WAITING;
    /** What the source delivered while WAITING; null when nothing came. */
    private HeldReads held;
    /** The kernel splice, once this direction was handed to it; it stays set after the source ends. */
    private ChannelFuture splice;
    /** The channel this pump is the handler of: its source, known before {@link #start}. */
    private Channel self;
    private Channel source;
    private Channel sink;
    /** Bytes were written to the sink in this read burst and await the flush at its end. */
    private boolean flushPending;
    /** Splicing started with reads off: the pipe is made when the first read begins. */
    private boolean pipePending;
    /** Between the source's first channelRead of a read and its channelReadComplete. */
    private boolean inRead;
    private long bytesRead;
    private long bytesCopied;
    private long bytesSpliced;
    /** The size of the last buffer the source delivered (one read system call each): AUTO's bulk test. */
    private int lastReadBytes;
    private long lastReadNanos;
    /** What the sink holds, for the memory budget; made the first time the sink holds bytes after a flush. */
    private SinkBacklog backlog;
    /** A pause's or a rate limit's hold on reads: null, and free, until one touches this direction. */
    private ReadHold hold;
    /** The flight event of a pause for a full sink, while it lasts and only when recorded. */
    private Object backpressureEvent;

    Pump(PumpOwner owner, Direction direction, ProxyConfig config) {
        this(owner, direction,
                config.forwarding() == Forwarding.COPY ? null : config.transport().splicer(),
                config.forwarding() == Forwarding.AUTO ? config.spliceThreshold() : 0,
                config.splicePipeSize());
    }

    /**
     * @param splicer the transport's splice, or null to copy only
     * @param copyBeforeSplice with a splicer: bytes to copy before splicing (0 splices at once)
     */
    Pump(PumpOwner owner, Direction direction, Transport.Splicer splicer, long copyBeforeSplice, int splicePipeSize) {
        this.owner = owner;
        this.direction = direction;
        this.splicer = splicer;
        this.copyBeforeSplice = copyBeforeSplice;
        this.splicePipeSize = splicePipeSize;
    }

    /** The one place the state changes: any move the diagram lacks is a bug, and fails loudly. */
    private void moveTo(PumpState target) {
        if (!state.canMoveTo(target)) {
            throw new IllegalStateException(direction + " pump: no transition " + state + " -> " + target);
        }
        state = target;
    }

    PumpState state() {
        return state;
    }

    /** Joins the two channels once the upstream is connected, and starts reading the source. */
    void start(Channel source, Channel sink) {
        this.source = source;
        this.sink = sink;
        HeldReads early = held;
        held = null;
        if (early != null && early.handTo(this::forward)) {
            sink.flush();
        }
        if (early != null && early.hasEndOfStream()) {
            sourceEnded();
            return;
        }
        if (splicer != null && copyBeforeSplice == 0) {
            startSplicing(false);
        } else {
            moveTo(PumpState.COPYING);
        }
        // Reading starts only now: a splice must be queued before the first read, or that read
        // would go through a buffer. (A copying pump's channel may have been registered with
        // reading allowed, which this then finds already set: see ProxyServer.readFromRegistration.)
        if (!heldBack()) {
            source.config().setAutoRead(true);
        }
    }

    /**
     * Gives up what the source delivered while WAITING, for a relay that will hand it to the
     * upstream itself (the client was cut before the upstream connected); the caller owns the
     * buffers from now on.
     */
    HeldReads takeHeld() {
        HeldReads taken = held == null ? new HeldReads() : held;
        held = null;
        return taken;
    }

    /**
     * Hands this direction to the kernel. Whatever was copied before is already queued on the
     * sink, and the splice's writes queue behind it, so no byte is reordered at the switch.
     *
     * @param insideRead called from {@code channelRead}: the same read goes on to splice, so the
     *     pipe is made now; otherwise reads are off and it is made when the next read begins
     *     ({@link #readStarting}), so a connection that never carries a byte never holds one
     */
    private void startSplicing(boolean insideRead) {
        if (state == PumpState.COPYING) {
            FlightEvents.spliceSwitch(owner.connectionId(), direction, bytesCopied);
        }
        moveTo(PumpState.SPLICING);
        if (insideRead) {
            splicer.preparePipe(sink, splicePipeSize);
        } else {
            pipePending = true;
        }
        if (Boolean.FALSE.equals(source.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE))) {
            // The end-of-stream drain needs the input-shutdown event: see sourceOutputShut().
            source.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
        splice = splicer.start(source, sink);
        splice.addListener(spliced -> {
            // A channel closing fails the splice too; closes are the relay's business
            // (channelInactive). Any other failure is a real I/O error: of the source (a failed
            // splice in), or of the sink (a failed splice out, after which Netty has closed it).
            // The side that failed is closed and the other reset, so it must be the right one.
            if (!spliced.isSuccess() && !(spliced.cause() instanceof ClosedChannelException)) {
                owner.abort(spliced.cause(), sink.isActive() ? source : sink);
            }
        });
    }

    @Override
    public boolean channelOpen() {
        return self == null || self.isOpen();
    }

    @Override
    public void readStarting() {
        if (pipePending && sink.isOpen()) {
            pipePending = false;
            splicer.preparePipe(sink, splicePipeSize);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        self = ctx.channel();
    }

    @Override
    public int splicePassBytes() {
        // One pass fills the pipe at most; asking for more would only cost a failing splice call.
        if (splice == null) {
            return 0;
        }
        return hold == null ? splicePipeSize : hold.cap(splicePipeSize);
    }

    boolean isStarted() {
        return sink != null;
    }

    long bytesRead() {
        return bytesRead;
    }

    long bytesSpliced() {
        return bytesSpliced;
    }

    long lastReadNanos() {
        return lastReadNanos;
    }

    boolean isFinished() {
        return state == PumpState.FINISHED;
    }

    /**
     * Every read of the source, by splice or into a buffer. Once spliced, every read is a
     * splice: the splice queued on the channel takes each read before any buffer would. Buffer
     * reads are counted as copied when forwarded, so a byte read and never forwarded shows up
     * as neither.
     */
    @Override
    public void bytesRead(int bytes) {
        countRead(bytes);
        if (splice != null) {
            bytesSpliced += bytes;
            owner.counters().spliced.add(bytes);
        }
    }

    private void countRead(int bytes) {
        bytesRead += bytes;
        lastReadNanos = System.nanoTime();
        owner.counters().bytesRead(direction, bytes);
        if (hold != null) {
            hold.counted(bytes, lastReadNanos, source);
        }
    }

    private ReadHold hold() {
        if (hold == null) {
            hold = new ReadHold(this::heldBack, this::readAgain);
        }
        return hold;
    }

    /** A new rate limit for this direction, in bytes per second (0: none); see {@link ReadHold#limit(long)}. */
    void rateLimit(long bytesPerSecond) {
        if (hold != null || bytesPerSecond != 0) {
            hold().limit(bytesPerSecond);
        }
    }

    /** The rate limit in bytes per second, 0 for none. */
    long rateLimit() {
        return hold == null ? 0 : hold.limit();
    }

    /**
     * Stops reading the source now, and keeps it stopped until {@link #readAgain()} while
     * {@link #heldBack()} says so (an operator's pause; the pair closing).
     */
    void holdReads() {
        if (source != null) {
            hold().stop(source); // Not started: the start reads only if nothing holds it (see start).
        }
    }

    /** The connection has closed: no timer of this direction's may keep it, and an open flight event ends. */
    void connectionEnded() {
        if (hold != null) {
            hold.ended();
        }
        if (backpressureEvent != null) {
            FlightEvents.backpressureEnded(backpressureEvent, owner.connectionId(), direction, 0);
            backpressureEvent = null;
        }
    }

    /** Whether an operator's pause or the rate limit keeps this direction from reading. */
    private boolean heldBack() {
        return owner.readingPaused() || (hold != null && hold.waiting());
    }

    /**
     * Turns reading on again after a pause or a rate-limit wait, if nothing else holds the
     * direction: a copying sink over its high water mark or the memory budget (their own
     * resumes come later), an ended or closed source.
     */
    void readAgain() {
        if (source == null || !source.isOpen() || heldBack() || ((DuplexChannel) source).isInputShutdown()) {
            return;
        }
        ChannelOutboundBuffer queued = sink.unsafe().outboundBuffer();
        if (queued == null) {
            return; // The sink is closed: the relay is ending.
        }
        if (state == PumpState.SPLICING && !queued.isEmpty()) {
            // Splice-outs still queued for a sink that did not take them: Netty's splice turned
            // reading off for that. Reading now would find the pipe full and spin; read again once
            // they are written, as Netty itself would.
            sink.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
                if (written.isSuccess()) {
                    readAgain();
                }
            });
            return;
        }
        if (state == PumpState.SPLICING
                || (state == PumpState.COPYING && sink.isWritable() && (backlog == null || !backlog.paused()))) {
            if (source.config().isAutoRead()) {
                // Turned on meanwhile (Netty's splice does so itself) with its read request dropped by the gate.
                source.read();
            } else {
                source.config().setAutoRead(true);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            // A socket channel reads only ByteBufs; anything else is released, not leaked.
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        inRead = true;
        if (state == PumpState.WAITING) {
            boolean first = held == null || held.isEmpty();
            held().add(buf);
            if (first && buf.isWritable() && (splicer == null || copyBeforeSplice > 0)) {
                // The first early read of a copying pump (its channel was registered with reading
                // allowed) and it drained the socket: ask for one more, so Netty keeps the read
                // interest rather than clearing it now and setting it again at the start (two
                // epoll_ctl). The socket being empty, only bytes the peer sends later come, and
                // at most one more buffer of them, as each read consumes the request. A read that
                // filled its buffer asks for nothing: the interest goes off until the start.
                ctx.read();
            }
            return;
        }
        lastReadBytes = buf.readableBytes();
        forward(buf);
        flushPending = true;
        if (!sink.isWritable()) {
            // Past the high water mark: flush now rather than at the end of the read burst. A
            // sink that takes it all is writable again and reading goes on; pausing would cost
            // an epoll_ctl to stop reading and another to resume, for every full-sized read.
            flushNow();
            if (!sink.isWritable()) {
                source.config().setAutoRead(false);
                if (backpressureEvent == null) {
                    backpressureEvent = FlightEvents.backpressureStarted();
                }
            }
        } else if (shouldSwitchToSplice()) {
            // AUTO: a bulk transfer (enough bytes copied, and this read was large). Switched only
            // while the sink is writable, because from now on the splice, not this pump, drives
            // AUTO_READ. (Also while the memory budget is used up: spliced bytes do not count
            // against it.)
            startSplicing(true);
        } else if (owner.memoryBudget().exhausted()) {
            // The proxy's budget is used up: find out after this read, not at the end of the
            // burst, whether the sink holds bytes, and pause if it does.
            flushNow();
        }
    }

    private HeldReads held() {
        if (held == null) {
            held = new HeldReads();
        }
        return held;
    }

    /** Writes the very buffer that was read to the sink; the sink releases it once written. */
    private void forward(ByteBuf buf) {
        int readable = buf.readableBytes();
        bytesCopied += readable;
        owner.counters().copied.add(readable);
        // The void promise reports a failed write as exceptionCaught on the sink's pipeline,
        // where the reverse pump aborts the relay: nothing is ignored, and no promise is
        // allocated per read.
        sink.write(buf, sink.voidPromise());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // The pair closed before the upstream was connected: release what was held meanwhile.
        if (held != null) {
            held.release();
            held = null;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (flushPending && sink != null) {
            flushNow();
        }
        ctx.fireChannelReadComplete();
    }

    /** Called by the reverse pump: our sink is its source, so it hears the sink's writability. */
    void sinkWritabilityChanged() {
        if (source == null || !source.isOpen()) {
            // Not started, or the source is closed: the relay is ending, and the source's descriptor
            // number may already belong to another socket, so nothing may read it (see drainSplicedSource).
            return;
        }
        if (backpressureEvent != null && sink.isWritable()) {
            // The sink took its queue down: the pause for it is over (whatever else may still hold reads).
            ChannelOutboundBuffer queued = sink.unsafe().outboundBuffer();
            FlightEvents.backpressureEnded(backpressureEvent, owner.connectionId(), direction,
                    queued == null ? 0 : queued.totalPendingWriteBytes());
            backpressureEvent = null;
        }
        if (state == PumpState.DRAINING) {
            if (sink.isWritable()) {
                drainSplicedSource();
            }
            return;
        }
        if (state != PumpState.COPYING || !sink.isWritable() || (backlog != null && backlog.paused())) {
            // Paused for the memory budget: the backlog resumes it (resumeAfterBudget).
            return;
        }
        if (((DuplexChannel) source).isInputShutdown()) {
            // Netty shut the input after reading to EOF and fires the event just after; that
            // event ends this direction, so there is nothing left to read. (Re-arming reads on
            // such an input is also what trips Netty 4.2.18's epoll bookkeeping; see the epoll
            // transport's EpollSetKeeper.)
            return;
        }
        if (shouldSwitchToSplice()) {
            // AUTO's usual switch point: a read that fills the sink past its high water mark
            // (a 64 KiB read does) never finds it writable in channelRead, so switch here too
            // (the rule looks at that read, the last one: a large read is what filled the sink),
            // with reads off, which is when a splice must be queued anyway. A flush inside a read
            // of the source can raise this too, and that read goes on to splice: the pipe is made now.
            startSplicing(inRead);
        }
        if (!heldBack()) {
            source.config().setAutoRead(true);
        }
    }

    /**
     * Flushes what this read burst wrote, and tells the memory budget what the sink still holds;
     * stops reading if the budget says so.
     */
    private void flushNow() {
        flushPending = false;
        sink.flush();
        if (backlog == null) {
            ChannelOutboundBuffer pending = sink.unsafe().outboundBuffer();
            if (pending == null || pending.isEmpty()) {
                return; // The kernel took it all: nothing for the budget, the common case.
            }
            backlog = new SinkBacklog(owner.memoryBudget(), sink, this);
        }
        backlog.report();
    }

    @Override
    public boolean copying() {
        return state == PumpState.COPYING;
    }

    @Override
    public void pauseForBudget() {
        source.config().setAutoRead(false);
    }

    @Override
    public void resumeAfterBudget() {
        if (state == PumpState.COPYING && source.isOpen() && sink.isWritable()
                && !((DuplexChannel) source).isInputShutdown() && !heldBack()) {
            source.config().setAutoRead(true);
        }
    }

    @Override
    public int readCap() {
        return hold == null ? budgetCap() : hold.cap(budgetCap());
    }

    /**
     * AUTO's switch rule: the direction has copied at least the threshold <em>and</em> its last
     * read was large (at least {@link #BULK_READ_BYTES}, or all a read may take while the memory
     * budget is used up), i.e. its socket had a lot queued: it is moving bulk data.
     *
     * <p>Why both: the byte count alone switched every long-lived connection, however small its
     * messages. Pipelined 32-byte requests or 64-byte round trips pass 256 KiB after a few
     * thousand exchanges and were then spliced, each splice pass (splice in, Netty's closing
     * zero-length splice, splice out) moving a few hundred bytes where a copy moves them with a
     * read and a write: 343 system calls per 1 000 pipelined requests against 263 copied
     * (docs/benchmarks.md, "Small messages side by side"). Splice pays where each pass moves
     * tens of KiB; a read that size means the sender is ahead of the proxy, which is when it
     * does. HAProxy's {@code splice-auto} likewise splices only once reads fill its buffer.
     *
     * <p>Why the last read, not an average: a bulk transfer's reads are large from its second or
     * third read on (64 KiB on loopback), so the switch comes as soon as the byte count allows it,
     * and a small-message connection's reads stay far below 16 KiB however long it lives. A
     * connection that turns from chatty to bulk switches at its first large read.
     */
    private boolean shouldSwitchToSplice() {
        // The budget's cap, not a rate limit's: reads a limit keeps small say nothing of the sender.
        return splicer != null && state == PumpState.COPYING && bytesCopied >= copyBeforeSplice
                && lastReadBytes >= Math.min(BULK_READ_BYTES, budgetCap()) && (hold == null || !hold.limited());
    }

    /** The most a read may take while the proxy-wide memory budget is used up; no cap otherwise. */
    private int budgetCap() {
        return owner.memoryBudget().exhausted() ? MemoryBudget.READ_WHILE_EXHAUSTED : Integer.MAX_VALUE;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        owner.pumpInto(ctx.channel()).sinkWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (state == PumpState.WAITING) {
                held().endOfStream();
            } else if (state == PumpState.SPLICING) {
                moveTo(PumpState.DRAINING);
                drainSplicedSource();
            } else {
                sourceEnded();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        owner.channelInactive(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        owner.abort(cause, ctx.channel());
    }

    /**
     * The source has no more bytes: flush everything queued for the sink, then shut the sink's
     * output so its peer reads EOF exactly after the last byte.
     */
    void sourceEnded() {
        if (sink == null || state == PumpState.ENDING || state == PumpState.FINISHED) {
            return;
        }
        moveTo(PumpState.ENDING);
        sink.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) this::afterLastWrite);
    }

    /**
     * A splicing source can report its end of stream with bytes still queued in its socket
     * (docs/architecture.md). Read them out and queue them on the sink behind the pending
     * splices, while the sink has room; a sink that fills up resumes the drain when it drains
     * ({@link #sinkWritabilityChanged}), so the tail costs no more than a water mark of
     * memory. Once the tail is read, the EOF is passed on.
     */
    private void drainSplicedSource() {
        if (!source.isOpen()) {
            // The drain reads the source's descriptor directly, and a closed descriptor's number is
            // reused by the next socket any thread opens: reading it would take another connection's
            // bytes. A source closed with its tail unread is a cut stream.
            owner.abort(new ClosedChannelException(), source);
            return;
        }
        // If the source's own output is already shut, its socket is fully closed at the TCP
        // level, and nothing (no writability change of a finished direction) would resume a
        // paced drain: the tail must be read now, whatever the sink holds.
        boolean paced = !owner.pumpInto(source).isFinished();
        try {
            while (!paced || sink.isWritable()) {
                int n = splicer.drainAfterEndOfStream(source, buf -> {
                    // Read past the channel (not a splice), so counted here; forward() counts it as copied.
                    countRead(buf.readableBytes());
                    forward(buf);
                });
                if (n < 0) {
                    sourceEnded();
                    return;
                }
            }
            sink.flush();
        } catch (IOException e) {
            owner.abort(e, source);
        }
    }

    private void afterLastWrite(ChannelFuture written) {
        if (!written.isSuccess()) {
            owner.abort(written.cause(), sink);
            return;
        }
        if (splice != null) {
            // Every splice-out queued before this write is done, so nothing will turn reading
            // back on: stop the input-shut source from being polled again.
            source.config().setAutoRead(false);
        }
        owner.shutdownOutput((DuplexChannel) sink).addListener(shut -> {
            if (shut.isSuccess()) {
                owner.pumpFrom(sink).sourceOutputShut();
                finish();
            } else {
                owner.abort(shut.cause(), sink);
            }
        });
    }

    /**
     * The reverse direction shut our source's output. When the source's input ends now, the
     * socket is closed both ways at the TCP level and the {@code shutdown(SHUT_RD)} Netty would
     * make fails with ENOTCONN, which Netty turns into an exception, stack trace and all, for
     * every connection that closes this way. So while this pump copies, the end of stream closes
     * the channel instead (half-closure off), and {@link Relay#channelInactive} ends this
     * direction exactly as the input-shutdown event would: everything read before the EOF has
     * already been forwarded. A splice cannot do without the event (its end-of-stream drain
     * reads what splice left in the socket), so {@link #startSplicing} turns half-closure back on.
     */
    void sourceOutputShut() {
        if (state == PumpState.COPYING && source.isActive()) {
            source.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        }
    }

    /** Marks this direction done; when both are, the relay closes. */
    void finish() {
        if (state != PumpState.FINISHED) {
            moveTo(PumpState.FINISHED);
            owner.directionFinished();
        }
    }
}
