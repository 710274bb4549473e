package dev.zeroproxy;

import io.netty.channel.EventLoopGroup;
import java.time.Duration;

/**
 * What a running proxy lends its {@link Upstream} between {@link Upstream#start} and
 * {@link Upstream#stop}: its event loops (for health checks and timers, which must never block
 * them), its transport (to open check connections the way relayed ones are opened), its
 * listener (to report server state changes) and its connect timeout.
 */
public interface UpstreamRuntime {

    /** The proxy's event loops. */
    EventLoopGroup eventLoops();

    /** The proxy's transport. */
    Transport transport();

    /** The proxy's listener (never null; {@link ProxyListener#NOOP} when none was set). */
    ProxyListener listener();

    /** The proxy's timeout for one upstream connect attempt. */
    Duration connectTimeout();
}
