package dev.zeroproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The read handle counts every read, and gives a closed channel nothing to read into. */
class CountingRecvByteBufAllocatorTest {
    private boolean open = true;
    private long counted;

    private final CountingRecvByteBufAllocator.ReadCounter counter = new CountingRecvByteBufAllocator.ReadCounter() {
        @Override
        public void bytesRead(int bytes) {
            counted += bytes;
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
            return open;
        }

        @Override
        public void readStarting() {
        }
    };

    @Test
    void aClosedChannelGetsABufferWithNoRoomSoAReadOfItsOldDescriptorTakesNothing() {
        RecvByteBufAllocator.Handle handle = new CountingRecvByteBufAllocator(counter).newHandle();
        ByteBuf whileOpen = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
        assertTrue(whileOpen.writableBytes() > 0);
        whileOpen.release();

        open = false;
        ByteBuf afterClose = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
        assertEquals(0, afterClose.writableBytes());
        afterClose.release();
    }

    @Test
    void everySuccessfulReadIsCountedAndEndOfStreamIsNot() {
        RecvByteBufAllocator.Handle handle = new CountingRecvByteBufAllocator(counter).newHandle();
        handle.lastBytesRead(1000);
        handle.lastBytesRead(24);
        handle.lastBytesRead(-1);
        handle.lastBytesRead(0);
        assertEquals(1024, counted);
    }
}
