package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.Transport;
import dev.zeroproxy.UpstreamRuntime;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link GroupUsers}: a backend a reload removed keeps running while a configuration still routes
 * to it, and stops with the last use. A running group refuses a second start, which is how the
 * test sees that it still runs.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupUsersTest {
    @Test
    void aGroupStopsWithItsLastUseNotItsFirst() {
        try (ProxyRuntime runtime = ProxyRuntime.builder().transport(Transport.nio()).eventLoops(1).start()) {
            UpstreamRuntime lent = runtime.upstreamRuntime(ProxyListener.NOOP, Duration.ofSeconds(1));
            UpstreamGroup group = UpstreamGroup.builder("app")
                    .server("a", new InetSocketAddress("127.0.0.1", 9000)).build();
            group.start(lent);
            GroupUsers users = new GroupUsers();
            users.acquire(group); // the file
            users.acquire(group); // an older configuration's router

            users.release(group); // a reload removed the backend
            assertThrows(IllegalStateException.class, () -> group.start(lent), "still running for the router");

            users.release(group); // the older configuration's last connection closed
            group.start(lent); // stopped: it starts again
            group.stop();
        }
    }
}
