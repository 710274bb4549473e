package dev.zeroproxy.internal;

import io.netty.channel.Channel;

/**
 * Reads of a client channel in the PROXY header phase, before its relay exists: nothing to
 * count yet (the header is not payload; what follows it in the same read is counted when the
 * relay takes over), no splice, no memory budget cap (the header is small and bounded by the
 * decoder's limit); only the guard against reading a closed descriptor.
 */
final class HeaderReads implements CountingRecvByteBufAllocator.ReadCounter {
    private final Channel channel;

    HeaderReads(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void bytesRead(int bytes) {
        // Counted by the relay, for the bytes that were payload (see Relay.countEarlyClientBytes).
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
        return channel.isOpen();
    }

    @Override
    public void readStarting() {
        // No splice pipe to prepare before the relay.
    }
}
