package dev.zeroproxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * A channel's receive allocator and its read handle in one object: Netty's adaptive read sizes
 * ({@link ReadSizes}), plus a count of every byte the channel reads.
 *
 * <p>Why here and not in a handler: a channel that splices reads into a pipe, bypassing the
 * pipeline, but every transport still reports each read's size to this handle. Counting at
 * this one place therefore covers copied and spliced bytes alike, at the cost of one call per
 * read system call.
 *
 * <p>Why one object: the handle has to know its channel's counter, and Netty asks a channel's
 * allocator for a handle once, at the channel's first read, then keeps it for the channel's
 * life. So each channel gets its own instance, and {@link #newHandle()} returns it. Before, a
 * channel that had read once held six objects for this (our allocator and handle wrapping
 * Netty's adaptive allocator, its handle, its calculator and a supplier), about 190 B; now one.
 * The per-read bookkeeping is that of Netty's {@code MaxMessageHandle} with its defaults: one
 * message per read call, stop on a read that did not fill its buffer.
 */
final class CountingRecvByteBufAllocator implements RecvByteBufAllocator, RecvByteBufAllocator.ExtendedHandle {

    /** Told the size of every successful read. Called on the channel's event loop. */
    interface ReadCounter {
        void bytesRead(int bytes);

        /**
         * The bytes one splice pass may move (the pipe's capacity) while the channel's reads are
         * splices; 0 while they are reads into buffers.
         */
        int splicePassBytes();

        /** The most one read into a buffer may take now: small while memory is short. */
        int readCap();

        /** Whether the channel is still open, so that its descriptor is still its own. */
        boolean channelOpen();

        /** A read of the channel (a splice pass, or reads into buffers) is about to begin. */
        void readStarting();
    }

    /** Whom reads are told: a phase before the relay, then the relay's pump (see {@link #countInto}). */
    private ReadCounter counter;
    private ChannelConfig config;
    private int sizes = ReadSizes.INITIAL;
    private int messages;
    private int totalBytes;
    private int attemptedBytes;
    private int lastBytes;

    CountingRecvByteBufAllocator(ReadCounter counter) {
        this.counter = counter;
    }

    /**
     * From now on, reads are told to {@code next}: a channel that read before its relay existed
     * (the PROXY header phase) keeps this allocator, since Netty keeps the handle of a channel's
     * first read for its life and would ignore a new allocator. On the channel's event loop.
     */
    void countInto(ReadCounter next) {
        counter = next;
    }

    /** This object: it is already its channel's own (see the class comment). */
    @Override
    public Handle newHandle() {
        return this;
    }

    @Override
    public void lastBytesRead(int bytes) {
        if (bytes > 0) {
            counter.bytesRead(bytes);
            totalBytes += bytes;
        }
        if (bytes == attemptedBytes) {
            // A read that filled its buffer: there may be more where it came from.
            sizes = ReadSizes.record(sizes, bytes);
        }
        lastBytes = bytes;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
        if (!counter.channelOpen()) {
            // Netty 4.2.18's epoll read loop can go on reading after the channel was closed
            // inside it: after a splice pass it does not check (netty/netty#5048 added that
            // check after buffer reads only), and after EPOLLRDHUP it keeps reading whatever
            // this handle says. A closed descriptor's number is reused by the next socket any
            // thread opens, so such a read would take another connection's bytes. A buffer
            // with no room turns it into a zero-length read, which takes no bytes (Netty then
            // treats the channel's input as ended, harmlessly: it is closed). The complete fix
            // belongs in Netty: a closed check after the splice pass, as after buffer reads.
            return alloc.directBuffer(0, 0);
        }
        return alloc.ioBuffer(Math.min(ReadSizes.size(sizes), counter.readCap()));
    }

    @Override
    public int guess() {
        // Splice sizes each pass by guess(); no buffer is allocated from it then. The adaptive
        // guess starts at 2 KiB and grows only with full reads, so a short transfer would be
        // spliced 2 KiB at a time and, when its FIN comes with the data, mostly left to the
        // end-of-stream drain: a pass takes what the pipe can hold instead.
        int splicePass = counter.splicePassBytes();
        return splicePass > 0 ? splicePass : Math.min(ReadSizes.size(sizes), counter.readCap());
    }

    @Override
    public void reset(ChannelConfig config) {
        // Every transport resets its handle before each read, and epoll does so before the
        // splice pass of that read: the last moment to give the pass the pipe it should use.
        counter.readStarting();
        this.config = config;
        messages = 0;
        totalBytes = 0;
    }

    @Override
    public void incMessagesRead(int numMessages) {
        messages += numMessages;
    }

    @Override
    public int lastBytesRead() {
        return lastBytes;
    }

    @Override
    public void attemptedBytesRead(int bytes) {
        attemptedBytes = bytes;
    }

    @Override
    public int attemptedBytesRead() {
        return attemptedBytes;
    }

    @Override
    public boolean continueReading() {
        // Netty's default guess at "maybe more": the last read filled its buffer.
        return config.isAutoRead() && lastBytes > 0 && lastBytes == attemptedBytes && moreAllowed();
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
        return config.isAutoRead() && maybeMoreDataSupplier.get() && moreAllowed();
    }

    /** One message per read call, as Netty's adaptive allocator does by default, and only after bytes came. */
    private boolean moreAllowed() {
        return messages < 1 && totalBytes > 0;
    }

    @Override
    public void readComplete() {
        sizes = ReadSizes.record(sizes, totalBytes < 0 ? Integer.MAX_VALUE : totalBytes);
    }
}
