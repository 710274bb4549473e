package dev.zeroproxy.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.OpenPipes;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Enlarged pipes stay within their budget: a pipe that does not fit is not created (the
 * channel is left to Netty's default one), and a closed channel gives its share back.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SplicePipeBudgetTest {
    private static final int MIB = 1 << 20;
    private EventLoopGroup loop;

    @BeforeEach
    void startLoop() {
        loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void pipesPastTheBudgetAreNotEnlargedAndClosedChannelsGiveTheirShareBack() throws Exception {
        PipeBudget budget = new PipeBudget(MIB);
        EpollSocketChannel first = registered();
        EpollSocketChannel second = registered();
        Set<Path> before = OpenPipes.open();

        install(first, budget);
        Set<Path> afterFirst = newPipes(before);
        assertEquals(2, afterFirst.size(), "the first pipe fits: created, both ends");
        for (Path end : afterFirst) {
            assertEquals(MIB, LibC.fcntl(OpenPipes.number(end), LibC.F_GETPIPE_SZ, 0), end + " capacity");
        }
        assertEquals(MIB, budget.inUseBytes());

        install(second, budget);
        assertEquals(afterFirst, newPipes(before), "the second does not fit: no pipe made, Netty's default later");
        assertEquals(MIB, budget.inUseBytes());

        first.close().syncUninterruptibly();
        Await.until(() -> budget.inUseBytes() == 0, Duration.ofSeconds(5), () -> "budget back to 0: " + budget.inUseBytes());
        assertEquals(Set.of(), newPipes(before), "the pipe closed with its channel");
        second.close().syncUninterruptibly();
    }

    private EpollSocketChannel registered() {
        EpollSocketChannel channel = new EpollSocketChannel();
        loop.register(channel).syncUninterruptibly();
        return channel;
    }

    private static void install(EpollSocketChannel sink, PipeBudget budget) throws Exception {
        sink.eventLoop().submit(() -> SplicePipes.install(sink, MIB, budget)).get(5, TimeUnit.SECONDS);
    }

    private static Set<Path> newPipes(Set<Path> before) {
        Set<Path> now = new HashSet<>(OpenPipes.open());
        now.removeAll(before);
        return now;
    }
}
