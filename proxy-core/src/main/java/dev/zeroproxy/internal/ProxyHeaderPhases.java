package dev.zeroproxy.internal;

import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.edge.ProxyHeader;
import dev.zeroproxy.edge.ProxyProtocolAccept;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The accept path's PROXY header phase on a channel of the caller's choosing, without a
 * server: exactly the handlers, timeout and reads a listener with {@link ProxyProtocolAccept}
 * installs on an accepted connection, with the refusals handed to the caller instead of the
 * server's counters and listener (the connection is still reset, as every refusal resets it).
 * For the PROXY header fuzzer (proxy-bench's {@code ProxyHeaderFuzz}), which drives it on
 * Netty's {@code EmbeddedChannel}, and for tests. Not API: see the package.
 */
public final class ProxyHeaderPhases {
    private ProxyHeaderPhases() { }

    /**
     * Installs the phase on {@code client} (registered and active) and asks for its first read.
     *
     * @param next gets the header once it is read and valid, on the channel's loop; bytes that
     *     followed it then reach whatever {@code next} adds at the end of the pipeline
     * @param refused gets each refusal (malformed header, CRC32C mismatch, timeout), just before
     *     the connection is reset
     */
    public static void install(Channel client, InetSocketAddress peer, ProxyProtocolAccept accept,
            Consumer<ProxyHeader> next, Consumer<ConnectionRefusal> refused) {
        ProxyHeaderPhase.install(client, peer, accept, (header, leftover) -> next.accept(header), refusal -> {
            refused.accept(refusal);
            Resets.now(client);
        });
    }
}
