package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Our one-object read handle sizes reads and decides whether to read on exactly as Netty's
 * adaptive handle did, which it replaced to save memory per channel: both are driven through
 * the same random reads, as a transport's read loop drives them, and must agree at every step.
 */
class ReadSizesTest {

    private final CountingRecvByteBufAllocator.ReadCounter counter = new CountingRecvByteBufAllocator.ReadCounter() {
        @Override
        public void bytesRead(int bytes) {
        }

        @Override
        public int splicePassBytes() {
            return 0;
        }

        @Override
        public int readCap() {
            return Integer.MAX_VALUE;
        }

        @Override
        public boolean channelOpen() {
            return true;
        }

        @Override
        public void readStarting() {
        }
    };

    @Test
    void sizesAndReadDecisionsMatchNettysAdaptiveHandleStepForStep() {
        ChannelConfig config = new EmbeddedChannel().config();
        RecvByteBufAllocator.ExtendedHandle netty =
                (RecvByteBufAllocator.ExtendedHandle) new AdaptiveRecvByteBufAllocator().newHandle();
        RecvByteBufAllocator.ExtendedHandle ours =
                (RecvByteBufAllocator.ExtendedHandle) new CountingRecvByteBufAllocator(counter).newHandle();
        Random random = new Random(8);
        for (int call = 0; call < 20_000; call++) {
            config.setAutoRead(random.nextInt(4) != 0);
            netty.reset(config);
            ours.reset(config);
            for (int read = 0; read < 4; read++) {
                assertEquals(netty.guess(), ours.guess(), "guess at call " + call);
                int attempted = netty.guess();
                netty.attemptedBytesRead(attempted);
                ours.attemptedBytesRead(attempted);
                int got = switch (random.nextInt(5)) {
                    case 0 -> attempted;                       // filled the buffer
                    case 1 -> -1;                              // end of stream
                    case 2 -> 0;                               // nothing there
                    default -> 1 + random.nextInt(attempted);  // part of it, small or large
                };
                netty.lastBytesRead(got);
                ours.lastBytesRead(got);
                netty.incMessagesRead(1);
                ours.incMessagesRead(1);
                assertEquals(netty.lastBytesRead(), ours.lastBytesRead());
                boolean more = random.nextBoolean();
                assertEquals(netty.continueReading(() -> more), ours.continueReading(() -> more),
                        "continueReading(supplier) at call " + call);
                assertEquals(netty.continueReading(), ours.continueReading(), "continueReading() at call " + call);
                if (!netty.continueReading()) {
                    break;
                }
            }
            netty.readComplete();
            ours.readComplete();
        }
        assertEquals(netty.guess(), ours.guess());
    }

    @Test
    void sizesStayBetween64BytesAnd64KiB() {
        int state = ReadSizes.INITIAL;
        assertEquals(2048, ReadSizes.size(state));
        for (int i = 0; i < 100; i++) {
            state = ReadSizes.record(state, Integer.MAX_VALUE);
        }
        assertEquals(64 * 1024, ReadSizes.size(state));
        for (int i = 0; i < 200; i++) {
            state = ReadSizes.record(state, 1);
        }
        assertEquals(64, ReadSizes.size(state));
    }
}
