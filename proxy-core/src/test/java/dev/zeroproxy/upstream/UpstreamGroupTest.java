package dev.zeroproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.UpstreamLease;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The group's choices without sockets: which server an attempt gets (redispatch, backups,
 * limits), what ejection may do, how slots are counted, and the settings it refuses. The
 * behaviour through a real proxy is {@code UpstreamGroupSuite}'s, on every transport.
 */
class UpstreamGroupTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    /** An attempt that records its answer. */
    private static final class Attempt implements UpstreamAttempt {
        final List<UpstreamLease> failed;
        final int number;
        UpstreamLease lease;
        Throwable refusal;

        Attempt(int number, List<UpstreamLease> failed) {
            this.number = number;
            this.failed = failed;
        }

        @Override
        public ConnectionInfo connection() {
            return new ConnectionInfo(1, CLIENT, null);
        }

        @Override
        public int number() {
            return number;
        }

        @Override
        public List<UpstreamLease> failedBefore() {
            return failed;
        }

        @Override
        public void connect(UpstreamLease chosen) {
            lease = chosen;
        }

        @Override
        public void refuse(Throwable cause) {
            refusal = cause;
        }

        @Override
        public boolean isAbandoned() {
            return false;
        }
    }

    private static InetSocketAddress address(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static UpstreamLease select(UpstreamGroup group) {
        Attempt attempt = new Attempt(1, List.of());
        group.select(attempt);
        assertNull(attempt.refusal, "refused: " + attempt.refusal);
        return attempt.lease;
    }

    private static ServerSnapshot server(UpstreamGroup group, String name) {
        return group.servers().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aRetryGoesToAServerTheConnectionHasNotTriedWhileThereIsOne() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2))
                .server("c", address(3)).passiveEjection(PassiveEjection.disabled()).build();
        List<UpstreamLease> failed = new ArrayList<>();
        List<InetSocketAddress> tried = new ArrayList<>();
        for (int number = 1; number <= 3; number++) {
            Attempt attempt = new Attempt(number, List.copyOf(failed));
            group.select(attempt);
            assertTrue(!tried.contains(attempt.lease.address()), "attempt " + number + " went back to "
                    + attempt.lease.address() + " with others untried: " + tried);
            tried.add(attempt.lease.address());
            attempt.lease.failed(new ConnectException("refused"));
            failed.add(attempt.lease);
        }
        // Every server failed this connection: a fourth attempt goes to one of them again rather than nowhere.
        Attempt fourth = new Attempt(4, List.copyOf(failed));
        group.select(fourth);
        assertTrue(tried.contains(fourth.lease.address()));
        fourth.lease.failed(new ConnectException("refused"));
        group.servers().forEach(s -> assertEquals(0, s.activeConnections(), "slots all given back: " + s));
    }

    @Test
    void backupsServeOnlyWhileNoPrimaryCan() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1))
                .server(ServerSpec.of("b", address(2)).backup(true)).build();
        assertEquals(address(1), select(group).address());
        group.disable("a");
        assertEquals(address(2), select(group).address());
        group.enable("a");
        assertEquals(address(1), select(group).address());
    }

    @Test
    void aServerAtItsLimitTakesNoMoreAndAReleaseGivesTheSlotBack() {
        UpstreamGroup group = UpstreamGroup.builder("g").server(ServerSpec.of("a", address(1)).maxConnections(2))
                .server("b", address(2)).build();
        List<UpstreamLease> onA = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            UpstreamLease lease = select(group);
            lease.connected(() -> { });
            if (lease.address().equals(address(1))) {
                onA.add(lease);
            }
        }
        assertEquals(2, onA.size(), "a holds its limit, b the rest");
        assertEquals(2, server(group, "a").activeConnections());
        assertEquals(4, server(group, "b").activeConnections());
        onA.get(0).released();
        assertEquals(1, server(group, "a").activeConnections());
        assertEquals(2, server(group, "a").totalConnections());
    }

    @Test
    void everyServerFullWithoutARunningProxyIsRefusedNotQueued() {
        UpstreamGroup group = UpstreamGroup.builder("g").server(ServerSpec.of("a", address(1)).maxConnections(1))
                .build();
        select(group);
        Attempt second = new Attempt(1, List.of());
        group.select(second);
        assertTrue(second.refusal instanceof UpstreamUnavailableException, "refused: " + second.refusal);
    }

    @Test
    void passiveEjectionTakesAFailingServerOutButNeverTheLastUsableOne() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2))
                .passiveEjection(PassiveEjection.builder().consecutiveFailures(2).build()).build();
        for (int i = 0; i < 4; i++) {
            UpstreamLease lease = select(group);
            if (lease.address().equals(address(1))) {
                lease.failed(new ConnectException("refused"));
            } else {
                lease.connected(() -> { });
                lease.released();
            }
        }
        assertEquals(ServerState.EJECTED, server(group, "a").state());
        for (int i = 0; i < 3; i++) {
            assertEquals(address(2), select(group).address(), "an ejected server takes no connection");
        }
        // b fails too, as often as it likes: it is the last usable server, so it stays in.
        for (int i = 0; i < 10; i++) {
            UpstreamLease lease = select(group);
            assertEquals(address(2), lease.address());
            lease.failed(new ConnectException("refused"));
        }
        assertEquals(ServerState.UP, server(group, "b").state());
        assertEquals(10, server(group, "b").consecutiveFailures());
    }

    @Test
    void serversFailingAtOnceOnTwoThreadsNeverDeadlockTheirEjection() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2))
                .server("c", address(3))
                .passiveEjection(PassiveEjection.builder().consecutiveFailures(1).baseEjection(Duration.ofHours(1))
                        .maxEjection(Duration.ofHours(1)).build())
                .build();
        List<GroupServer> servers = group.currentServers();
        // c ejected takes the group's share, so a and b are refused and ask again at every failure,
        // each reading the other's state: the pattern that once held two trackers' locks crosswise.
        group.connectFailed(servers.get(2), new ConnectException("refused"));
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (GroupServer server : servers.subList(0, 2)) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 200_000; i++) {
                    group.connectFailed(server, new ConnectException("refused"));
                }
            });
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join(30_000);
            assertTrue(!thread.isAlive(), "a failing thread is stuck: " + java.util.Arrays.toString(
                    java.lang.management.ManagementFactory.getThreadMXBean().findDeadlockedThreads()));
        }
        assertEquals(1, group.servers().stream().filter(s -> s.state() == ServerState.EJECTED).count(),
                "the share allows one ejection of three servers: " + group.servers());
    }

    @Test
    void aGroupWithNoServerUpRefusesNamingTheStates() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2)).build();
        group.drain("a", Duration.ZERO);
        group.disable("b");
        Attempt attempt = new Attempt(1, List.of());
        group.select(attempt);
        UpstreamUnavailableException refusal = (UpstreamUnavailableException) attempt.refusal;
        assertEquals(UpstreamUnavailableException.Reason.NO_SERVER, refusal.reason());
        assertEquals("g: no server is up (a DRAINING, b DISABLED)", refusal.getMessage());
    }

    @Test
    void runtimeChangesNameTheServerAndRefuseWhatCannotBe() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1)).build();
        InvalidSettingException unknown = assertThrows(InvalidSettingException.class, () -> group.drain("z", Duration.ZERO));
        assertEquals("server: z (expected: one of group g's servers: a)", unknown.getMessage());
        assertThrows(InvalidSettingException.class, () -> group.removeServer("a"), "the last server stays");
        assertThrows(InvalidSettingException.class, () -> group.addServer(ServerSpec.of("a", address(9))));
        InvalidSettingException weight = assertThrows(InvalidSettingException.class, () -> group.setWeight("a", 0));
        assertEquals("server a weight", weight.setting());
        group.addServer(ServerSpec.of("b", address(2)).weight(3));
        group.removeServer("a");
        assertEquals(List.of("b"), group.servers().stream().map(ServerSnapshot::name).toList());
        assertNotEquals(address(1), select(group).address());
    }

    @Test
    void theBuilderRefusesBadSettingsNamingThem() {
        assertEquals("servers", assertThrows(InvalidSettingException.class,
                () -> UpstreamGroup.builder("g").build()).setting());
        assertEquals("server", assertThrows(InvalidSettingException.class, () -> UpstreamGroup.builder("g")
                .server("a", address(1)).server("a", address(2)).build()).setting());
        assertEquals("server a weight", assertThrows(InvalidSettingException.class, () -> UpstreamGroup.builder("g")
                .server(ServerSpec.of("a", address(1)).weight(257)).build()).setting());
        assertEquals("server a maxConnections", assertThrows(InvalidSettingException.class,
                () -> UpstreamGroup.builder("g").server(ServerSpec.of("a", address(1)).maxConnections(-1)).build())
                .setting());
        assertEquals("retries", assertThrows(InvalidSettingException.class, () -> UpstreamGroup.builder("g")
                .server("a", address(1)).retries(-1).build()).setting());
        assertEquals("queueTimeout", assertThrows(InvalidSettingException.class, () -> UpstreamGroup.builder("g")
                .server("a", address(1)).queueTimeout(Duration.ZERO).build()).setting());
    }
}
