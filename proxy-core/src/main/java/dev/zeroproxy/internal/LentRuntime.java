package dev.zeroproxy.internal;

import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.Transport;
import dev.zeroproxy.UpstreamRuntime;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;

/** What a running proxy lends its upstream (see {@link UpstreamRuntime}): its record accessors are the interface. */
record LentRuntime(EventLoopGroup eventLoops, Transport transport, ProxyListener listener, Duration connectTimeout)
        implements UpstreamRuntime {
}
