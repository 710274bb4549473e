package dev.zeroproxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Netty's adaptive receive allocator, plus a count of every byte the channel reads.
 *
 * <p>Why here and not in a handler: a channel that splices reads into a pipe, bypassing the
 * pipeline, but every transport still reports each read's size to this handle. Counting at
 * this one place therefore covers copied and spliced bytes alike, at the cost of one call per
 * read system call.
 */
final class CountingRecvByteBufAllocator implements RecvByteBufAllocator {

    /** Told the size of every successful read. Called on the channel's event loop. */
    interface ReadCounter {
        void bytesRead(int bytes);

        /**
         * The bytes one splice pass may move (the pipe's capacity) while the channel's reads are
         * splices; 0 while they are reads into buffers.
         */
        int splicePassBytes();

        /** Whether the channel is still open, so that its descriptor is still its own. */
        boolean channelOpen();

        /** A read of the channel (a splice pass, or reads into buffers) is about to begin. */
        void readStarting();
    }

    private final RecvByteBufAllocator delegate = new AdaptiveRecvByteBufAllocator();
    private final ReadCounter counter;

    CountingRecvByteBufAllocator(ReadCounter counter) {
        this.counter = counter;
    }

    @Override
    public Handle newHandle() {
        return new CountingHandle((ExtendedHandle) delegate.newHandle(), counter);
    }

    private static final class CountingHandle implements ExtendedHandle {
        private final ExtendedHandle delegate;
        private final ReadCounter counter;

        CountingHandle(ExtendedHandle delegate, ReadCounter counter) {
            this.delegate = delegate;
            this.counter = counter;
        }

        @Override
        public void lastBytesRead(int bytes) {
            if (bytes > 0) {
                counter.bytesRead(bytes);
            }
            delegate.lastBytesRead(bytes);
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
            return delegate.allocate(alloc);
        }

        @Override
        public int guess() {
            // Splice sizes each pass by guess(); no buffer is allocated from it then. The adaptive
            // guess starts at 2 KiB and grows only with full reads, so a short transfer would be
            // spliced 2 KiB at a time and, when its FIN comes with the data, mostly left to the
            // end-of-stream drain: a pass takes what the pipe can hold instead.
            int splicePass = counter.splicePassBytes();
            return splicePass > 0 ? splicePass : delegate.guess();
        }

        @Override
        public void reset(ChannelConfig config) {
            // Every transport resets its handle before each read, and epoll does so before the
            // splice pass of that read: the last moment to give the pass the pipe it should use.
            counter.readStarting();
            delegate.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            delegate.incMessagesRead(numMessages);
        }

        @Override
        public int lastBytesRead() {
            return delegate.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            delegate.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return delegate.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return delegate.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return delegate.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            delegate.readComplete();
        }
    }
}
