package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each transition of one {@link Pump}, driven on Netty's {@code EmbeddedChannel}: the source
 * channel carries the pump, the sink records what it is given.
 */
class PumpTest {
    private final Owner owner = new Owner();
    private final List<ByteBuf> toRelease = new ArrayList<>();
    private Pump pump;
    private EmbeddedDuplexChannel source;
    private EmbeddedDuplexChannel sink;

    @AfterEach
    void releaseEverything() {
        toRelease.forEach(ByteBuf::release);
        if (source != null) {
            source.finishAndReleaseAll();
        }
        if (sink != null) {
            sink.finishAndReleaseAll();
        }
    }

    private void copyingPump() {
        pumpWith(null, 0);
    }

    private void pumpWith(Transport.Splicer splicer, long copyBeforeSplice) {
        pump = new Pump(owner, Direction.FROM_CLIENT, splicer, copyBeforeSplice, 65536);
        source = new EmbeddedDuplexChannel(pump);
        sink = new EmbeddedDuplexChannel();
        owner.pumps(source, sink, pump);
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    private ByteBuf payload(int length, char fill) {
        ByteBuf buf = Unpooled.directBuffer(length);
        for (int i = 0; i < length; i++) {
            buf.writeByte(fill);
        }
        return buf;
    }

    /** The next write on the sink is the very buffer read (zero-copy), in order. */
    private void assertForwarded(ByteBuf read) {
        ByteBuf written = sink.readOutbound();
        assertSame(read, written);
        written.release();
    }

    private String nextOnSink() {
        ByteBuf buf = sink.readOutbound();
        if (buf == null) {
            return null;
        }
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    @Test
    void waitingHoldsReadsAndTheirEndOfStreamUntilStart() {
        copyingPump();
        source.writeInbound(bytes("early-1"), bytes("early-2"));
        source.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertEquals(PumpState.WAITING, pump.state());
        assertNull(sink.readOutbound(), "nothing reaches the sink before start");

        pump.start(source, sink);

        assertEquals("early-1", nextOnSink());
        assertEquals("early-2", nextOnSink());
        assertTrue(sink.isOutputShutdown(), "the held EOF is passed on after the held bytes");
        assertEquals(PumpState.FINISHED, pump.state());
        assertEquals(1, owner.finishedDirections);
    }

    @Test
    void startMovesWaitingToCopyingAndForwardsTheVeryBufferRead() {
        copyingPump();
        pump.start(source, sink);
        assertEquals(PumpState.COPYING, pump.state());
        ByteBuf read = bytes("payload");
        source.writeInbound(read);
        ByteBuf written = sink.readOutbound();
        assertSame(read, written, "zero-copy: the buffer read is the buffer written");
        written.release();
    }

    @Test
    void startWithSpliceFromTheFirstByteMovesWaitingToSplicing() {
        FakeSplicer splicer = new FakeSplicer();
        pumpWith(splicer, 0);
        pump.start(source, sink);
        assertEquals(PumpState.SPLICING, pump.state());
        assertEquals(1, splicer.starts);
    }

    @Test
    void autoSwitchesFromCopyingToSplicingOnceTheThresholdIsCopiedByLargeReads() {
        FakeSplicer splicer = new FakeSplicer();
        pumpWith(splicer, 2 * Pump.BULK_READ_BYTES);
        pump.start(source, sink);
        ByteBuf first = payload(Pump.BULK_READ_BYTES, 'a');
        source.writeInbound(first);
        assertEquals(PumpState.COPYING, pump.state(), "a large read, but the threshold is not copied yet");
        ByteBuf second = payload(Pump.BULK_READ_BYTES, 'b');
        source.writeInbound(second);
        assertEquals(PumpState.SPLICING, pump.state());
        assertEquals(1, splicer.starts);
        assertForwarded(first);
        assertForwarded(second);
    }

    /**
     * AUTO is for bulk transfers: pipelined small requests pass the threshold after a few
     * thousand reads, and must stay copied (a splice pass per few hundred bytes costs more system
     * calls than a read and a write); the first large read then switches.
     */
    @Test
    void autoKeepsCopyingManySmallReadsPastTheThresholdAndSwitchesOnALargeOne() {
        FakeSplicer splicer = new FakeSplicer();
        pumpWith(splicer, 1024);
        pump.start(source, sink);
        for (int i = 0; i < 2000; i++) {
            source.writeInbound(payload(64, 'x'));
            ByteBuf written = sink.readOutbound();
            assertEquals(64, written.readableBytes());
            written.release();
        }
        assertEquals(PumpState.COPYING, pump.state(), "128 000 B copied, 125 x the threshold, in 64-byte reads");
        source.writeInbound(payload(Pump.BULK_READ_BYTES - 1, 'y'));
        assertEquals(PumpState.COPYING, pump.state(), "a read just under the bulk size does not switch");
        pump.sinkWritabilityChanged();
        assertEquals(PumpState.COPYING, pump.state(), "nor does the sink's writability, after a small read");
        assertEquals(0, splicer.starts);

        ByteBuf large = payload(Pump.BULK_READ_BYTES, 'z');
        source.writeInbound(large);
        assertEquals(PumpState.SPLICING, pump.state(), "the first large read past the threshold switches");
        assertEquals(1, splicer.starts);
        ByteBuf justUnder = sink.readOutbound();
        assertEquals(Pump.BULK_READ_BYTES - 1, justUnder.readableBytes());
        justUnder.release();
        assertForwarded(large);
    }

    /**
     * A 64 KiB read fills the sink past its high water mark, so channelRead finds it unwritable
     * and leaves the switch to the sink's writability change, which looks at that same read.
     */
    @Test
    void autoSwitchesWhenTheSinkDrainsAfterALargeReadFilledIt() {
        FakeSplicer splicer = new FakeSplicer();
        pumpWith(splicer, 1024);
        pump.start(source, sink);
        source.writeInbound(payload(64 * 1024, 'a'));
        assertEquals(PumpState.COPYING, pump.state(), "the sink was past its high water mark during the read");
        pump.sinkWritabilityChanged();
        assertEquals(PumpState.SPLICING, pump.state());
        assertEquals(1, splicer.starts);
    }
    @Test
    void copyingEndOfStreamGoesThroughEndingToFinishedAfterTheLastByte() {
        copyingPump();
        pump.start(source, sink);
        source.writeInbound(bytes("last"));
        source.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertEquals("last", nextOnSink());
        assertTrue(sink.isOutputShutdown());
        assertEquals(PumpState.FINISHED, pump.state());
        assertEquals(1, owner.finishedDirections);
    }

    @Test
    void splicingEndOfStreamDrainsTheTailThenEnds() {
        FakeSplicer splicer = new FakeSplicer("tail-1", "tail-2");
        pumpWith(splicer, 0);
        pump.start(source, sink);
        source.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertEquals("tail-1", nextOnSink());
        assertEquals("tail-2", nextOnSink());
        assertTrue(sink.isOutputShutdown());
        assertEquals(PumpState.FINISHED, pump.state());
        assertEquals(12, pump.bytesRead(), "the drained tail is counted as read");
    }

    @Test
    void drainingWaitsForASinkAboveItsHighWaterMarkAndResumesWhenItDrains() {
        FakeSplicer splicer = new FakeSplicer("tail-1", "tail-2");
        pumpWith(splicer, 0);
        pump.start(source, sink);
        sink.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        sink.write(bytes("queued ahead"));  // not flushed: the sink is now above its high mark
        assertFalse(sink.isWritable());

        source.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertEquals(PumpState.DRAINING, pump.state());
        assertEquals(0, splicer.drains, "no drain read while the sink is full");

        sink.flush();  // the sink drains; its writability change reaches the reverse pump, which tells this one
        pump.sinkWritabilityChanged();
        assertEquals("queued ahead", nextOnSink());
        assertEquals("tail-1", nextOnSink());
        assertEquals(PumpState.DRAINING, pump.state(), "one read filled the sink again: paced");

        pump.sinkWritabilityChanged();
        assertEquals("tail-2", nextOnSink());
        pump.sinkWritabilityChanged();
        assertTrue(sink.isOutputShutdown(), "the EOF follows the whole tail");
        assertEquals(PumpState.FINISHED, pump.state());
    }

    @Test
    void anyStateFinishesWhenTheSinkIsGone() {
        copyingPump();
        pump.finish();
        assertEquals(PumpState.FINISHED, pump.state());
        pump.finish();
        assertEquals(1, owner.finishedDirections, "finishing twice reports once");
    }

    @Test
    void aTransitionTheDiagramLacksFailsLoudly() {
        copyingPump();
        pump.finish();
        assertThrows(IllegalStateException.class, () -> pump.start(source, sink),
                "FINISHED -> COPYING is no arrow of the diagram");
    }

    /**
     * Counts the read requests that pass from the pump towards the source's socket, with
     * AUTO_READ off as the relay has it before the start (else the pipeline asks after each read).
     */
    private int[] countReadRequests() {
        source.config().setAutoRead(false);
        int[] reads = {0};
        source.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                reads[0]++;
                ctx.read();
            }
        });
        return reads;
    }

    @Test
    void aCopyingPumpAsksForOneMoreEarlyReadOnlyAfterAFirstReadThatDrainedTheSocket() {
        copyingPump();
        int[] reads = countReadRequests();
        source.writeInbound(bytes("early-1"));
        assertEquals(1, reads[0], "the buffer had room left: the socket was drained, keep the interest");
        source.writeInbound(bytes("early-2"));
        assertEquals(1, reads[0], "the second early read asks for nothing: at most two are held");
    }

    @Test
    void aCopyingPumpAsksForNoMoreEarlyReadsAfterAFirstReadThatFilledItsBuffer() {
        copyingPump();
        int[] reads = countReadRequests();
        source.writeInbound(Unpooled.directBuffer(4, 4).writeBytes(new byte[] {1, 2, 3, 4}));
        assertEquals(0, reads[0], "more may wait in the socket: it stays there until the start");
    }

    @Test
    void aPumpThatSplicesFromTheStartNeverAsksForAnEarlyRead() {
        pumpWith(new FakeSplicer(), 0);
        int[] reads = countReadRequests();
        source.writeInbound(bytes("with-an-early-fin"));
        assertEquals(0, reads[0], "a splice must be queued before reads are allowed");
    }

    @Test
    void heldReadsCanBeTakenOverAndAreNotReleasedByThePump() {
        copyingPump();
        ByteBuf early = bytes("early");
        source.writeInbound(early);
        HeldReads taken = pump.takeHeld();
        source.pipeline().remove(pump);
        assertEquals(1, early.refCnt(), "the taker owns it now");
        List<ByteBuf> handed = new ArrayList<>();
        taken.handTo(handed::add);
        assertEquals(List.of(early), handed);
        toRelease.addAll(handed);
    }

    @Test
    void heldReadsAreReleasedWhenThePairClosesBeforeStart() {
        copyingPump();
        ByteBuf early = bytes("early");
        source.writeInbound(early);
        source.close();
        assertEquals(0, early.refCnt());
    }

    @Test
    void anErrorOnTheSourceAbortsThePair() {
        copyingPump();
        pump.start(source, sink);
        source.pipeline().fireExceptionCaught(new java.io.IOException("Connection reset by peer"));
        assertSame(source, owner.abortedBy);
    }

    /** Stands in for the relay: pairs the two pumps' channels and records what it is told. */
    private static final class Owner implements PumpOwner {
        private final ProxyCounters counters = new ProxyCounters();
        private final MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        private final Pump reverse = new Pump(this, Direction.FROM_UPSTREAM, null, 0, 65536);
        private Channel source;
        private Pump pump;
        private int finishedDirections;
        private Channel abortedBy;

        void pumps(Channel source, Channel sink, Pump pump) {
            this.source = source;
            this.pump = pump;
        }

        @Override
        public ProxyCounters counters() {
            return counters;
        }

        @Override
        public MemoryBudget memoryBudget() {
            return budget;
        }

        @Override
        public Pump pumpInto(Channel channel) {
            return channel == source ? reverse : pump;
        }

        @Override
        public Pump pumpFrom(Channel channel) {
            return channel == source ? pump : reverse;
        }

        @Override
        public ChannelFuture shutdownOutput(DuplexChannel sink) {
            return sink.shutdownOutput();
        }

        @Override
        public void directionFinished() {
            finishedDirections++;
        }

        @Override
        public void channelInactive(Channel channel) {
        }

        @Override
        public long connectionId() {
            return 1;
        }

        @Override
        public boolean readingPaused() {
            return false;
        }

        @Override
        public void abort(Throwable error, Channel failed) {
            abortedBy = failed;
        }
    }

    /** A splice that never fails and whose end-of-stream tail is given up front. */
    private static final class FakeSplicer implements Transport.Splicer {
        private final ArrayDeque<String> tail = new ArrayDeque<>();
        private int starts;
        private int drains;

        FakeSplicer(String... tail) {
            this.tail.addAll(List.of(tail));
        }

        @Override
        public ChannelFuture start(Channel source, Channel sink) {
            starts++;
            return source.newPromise();
        }

        @Override
        public int drainAfterEndOfStream(Channel source, Consumer<ByteBuf> out) {
            drains++;
            String next = tail.poll();
            if (next == null) {
                return -1;
            }
            ByteBuf buf = bytes(next);
            out.accept(buf);
            return buf.readableBytes();
        }
    }
}
