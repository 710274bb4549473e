package dev.zeroproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.ProxyRuntime;
import dev.zeroproxy.Transport;
import dev.zeroproxy.UpstreamAttempt;
import dev.zeroproxy.UpstreamLease;
import dev.zeroproxy.edge.ProxyProtocolSend;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link UpstreamGroup#update}: servers matched by name keep what the group learnt of them
 * (state, ejection, counters, open connections) and take their new settings; servers left out
 * are removed, new ones added, a changed address is a new server; the group-wide settings are
 * replaced; a bad update changes nothing; and running checks follow the update.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupUpdateTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40_000);
    /** Long enough that no ejection of the test ends by itself. */
    private static final PassiveEjection EJECT_AT_TWO = PassiveEjection.builder().consecutiveFailures(2)
            .baseEjection(Duration.ofHours(1)).maxEjection(Duration.ofHours(1)).build();

    private static InetSocketAddress address(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** An attempt that records its answer. */
    private static final class Attempt implements UpstreamAttempt {
        UpstreamLease lease;
        Throwable refusal;

        @Override
        public ConnectionInfo connection() {
            return new ConnectionInfo(1, CLIENT, null);
        }

        @Override
        public int number() {
            return 1;
        }

        @Override
        public List<UpstreamLease> failedBefore() {
            return List.of();
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

    private static UpstreamLease select(UpstreamGroup group) {
        Attempt attempt = new Attempt();
        group.select(attempt);
        assertNull(attempt.refusal, () -> "refused: " + attempt.refusal);
        return attempt.lease;
    }

    /** Selects until a lease on {@code server} comes (round robin: within a round). */
    private static UpstreamLease selectOn(UpstreamGroup group, InetSocketAddress server) {
        List<UpstreamLease> others = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            UpstreamLease lease = select(group);
            if (lease.address().equals(server)) {
                others.forEach(UpstreamLease::released);
                return lease;
            }
            others.add(lease);
        }
        throw new AssertionError("no lease on " + server + " in 10 selects: " + group.servers());
    }

    private static Map<String, ServerSnapshot> byName(UpstreamGroup group) {
        return group.servers().stream().collect(Collectors.toMap(ServerSnapshot::name, Function.identity()));
    }

    private static List<String> names(UpstreamGroup group) {
        return group.servers().stream().map(ServerSnapshot::name).toList();
    }

    @Test
    void aServerKeptByNameKeepsItsStateCountersAndConnectionsAndTakesItsNewSettings() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2))
                .server("c", address(3)).passiveEjection(EJECT_AT_TWO).build();
        List<GroupServer> before = group.currentServers();
        UpstreamLease onA = selectOn(group, address(1));
        onA.connected(() -> { });
        for (int i = 0; i < 2; i++) {
            selectOn(group, address(2)).failed(new ConnectException("refused"));
        }
        group.disable("c");
        assertEquals(ServerState.EJECTED, byName(group).get("b").state());

        group.update(UpstreamGroup.builder("g")
                .server(ServerSpec.of("a", address(1)).weight(5).maxConnections(3))
                .server(ServerSpec.of("b", address(2)).weight(2).backup(true))
                .server("c", address(3))
                .passiveEjection(EJECT_AT_TWO));

        assertEquals(before, group.currentServers(), "the same three servers, in order");
        for (int i = 0; i < 3; i++) {
            assertSame(before.get(i), group.currentServers().get(i), "the very server objects");
        }
        Map<String, ServerSnapshot> now = byName(group);
        ServerSnapshot a = now.get("a");
        assertEquals(List.of(5, 3, 1, 1), List.of(a.weight(), a.maxConnections(), a.activeConnections(),
                (int) a.totalConnections()), "a: new weight and limit, its open connection and count kept");
        ServerSnapshot b = now.get("b");
        assertEquals(ServerState.EJECTED, b.state(), "b stays ejected");
        assertEquals(List.of(2, 2, 2), List.of(b.weight(), (int) b.failedConnects(), b.consecutiveFailures()));
        assertTrue(b.backup());
        assertEquals(ServerState.DISABLED, now.get("c").state(), "the operator's word stays");

        onA.released();
        assertEquals(0, byName(group).get("a").activeConnections(), "the connection opened before gives its slot back");
        assertEquals(1, byName(group).get("a").totalConnections());
    }

    @Test
    void serversLeftOutAreRemovedAndNewOnesAddedWhileOpenConnectionsFinish() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2)).build();
        UpstreamLease onB = selectOn(group, address(2));
        onB.connected(() -> { });
        GroupServer b = group.currentServers().get(1);

        group.update(UpstreamGroup.builder("g").server("a", address(1)).server("c", address(3)));

        assertEquals(List.of("a", "c"), names(group));
        assertEquals(ServerState.REMOVED, b.state(), "b is out");
        ServerSnapshot c = byName(group).get("c");
        assertEquals(List.of(0L, 0L), List.of(c.totalConnections(), c.failedConnects()), "c starts afresh");
        List<InetSocketAddress> chosen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            UpstreamLease lease = select(group);
            chosen.add(lease.address());
            lease.released();
        }
        assertTrue(chosen.contains(address(3)) && !chosen.contains(address(2)), "a and c only: " + chosen);
        onB.released();
        assertEquals(0, b.activeConnections(), "b's last connection finished on it");
    }

    @Test
    void aNameAtAnotherAddressIsAnotherServer() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2))
                .passiveEjection(EJECT_AT_TWO).build();
        for (int i = 0; i < 2; i++) {
            selectOn(group, address(1)).failed(new ConnectException("refused"));
        }
        GroupServer old = group.currentServers().get(0);
        assertEquals(ServerState.EJECTED, old.state());

        group.update(UpstreamGroup.builder("g").server("a", address(9)).server("b", address(2))
                .passiveEjection(EJECT_AT_TWO));

        GroupServer moved = group.currentServers().get(0);
        assertNotSame(old, moved);
        assertEquals(ServerState.REMOVED, old.state(), "the old a is removed");
        ServerSnapshot a = byName(group).get("a");
        assertEquals(address(9), a.address());
        assertEquals(ServerState.UP, a.state(), "what the old address earned does not follow the name");
        assertEquals(List.of(0L, 0), List.of(a.failedConnects(), a.consecutiveFailures()));
        assertEquals(List.of("a", "b"), names(group));
    }

    @Test
    void theGroupWideSettingsAreReplacedAndKeptServersUseTheNewEjection() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2))
                .passiveEjection(PassiveEjection.disabled()).build();
        assertEquals(UpstreamGroup.DEFAULT_RETRIES, group.retries());
        for (int i = 0; i < 3; i++) {
            selectOn(group, address(1)).failed(new ConnectException("refused"));
        }
        assertEquals(ServerState.UP, byName(group).get("a").state(), "no ejection yet");

        group.update(UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2))
                .retries(1).connectTimeout(Duration.ofSeconds(2)).balance(Balance.LEAST_CONNECTIONS)
                .sendProxyProtocol(ProxyProtocolSend.v1()).passiveEjection(EJECT_AT_TWO));

        assertEquals(1, group.retries());
        assertEquals(Optional.of(Duration.ofSeconds(2)), group.connectTimeout());
        assertEquals(Balance.LEAST_CONNECTIONS, group.balance());
        assertEquals(Optional.of(ProxyProtocolSend.v1()), group.sendProxyProtocol());
        assertEquals(EJECT_AT_TWO, group.passiveEjection());
        UpstreamLease lease = selectOn(group, address(1));
        assertEquals(ProxyProtocolSend.v1(), lease.sendProxyProtocol(), "the group's new header for its servers");
        lease.failed(new ConnectException("refused"));
        selectOn(group, address(1)).failed(new ConnectException("refused"));
        assertEquals(ServerState.EJECTED, byName(group).get("a").state(), "a kept server ejects as now set");
    }

    @Test
    void aKeptBalanceKeepsItsPlaceInTheRotation() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2))
                .server("c", address(3)).build();
        UpstreamLease first = select(group);
        first.released();
        group.update(UpstreamGroup.builder("g").server("a", address(1)).server("b", address(2))
                .server("c", address(3)).retries(2));
        List<InetSocketAddress> next = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            UpstreamLease lease = select(group);
            next.add(lease.address());
            lease.released();
        }
        assertTrue(!next.contains(first.address()), "the round goes on after " + first.address() + ": " + next);
    }

    @Test
    void aBadUpdateIsRefusedByNameAndChangesNothing() {
        UpstreamGroup group = UpstreamGroup.builder("g").server(ServerSpec.of("a", address(1)).weight(3))
                .server("b", address(2)).retries(2).build();
        UpstreamLease onA = selectOn(group, address(1));
        onA.connected(() -> { });
        List<ServerSnapshot> before = group.servers();
        List<GroupServer> serversBefore = group.currentServers();

        assertEquals("server", assertThrows(InvalidSettingException.class, () -> group.update(
                UpstreamGroup.builder("g").server("a", address(1)).server("a", address(3)).retries(5))).setting());
        assertEquals("server b weight", assertThrows(InvalidSettingException.class, () -> group.update(
                UpstreamGroup.builder("g").server("a", address(1)).server(ServerSpec.of("b", address(2)).weight(0))))
                .setting());
        assertEquals("servers", assertThrows(InvalidSettingException.class,
                () -> group.update(UpstreamGroup.builder("g").retries(5))).setting());
        assertEquals("retries", assertThrows(InvalidSettingException.class, () -> group.update(
                UpstreamGroup.builder("g").server("c", address(3)).retries(-1))).setting());

        assertEquals(before, group.servers(), "every server as it was");
        assertSame(serversBefore, group.currentServers(), "not even republished");
        assertEquals(2, group.retries());
        onA.released();
    }

    @Test
    void runningChecksFollowTheirNewSettingsAndARemovedServerIsReported() throws Exception {
        EventLoopGroup serverLoops = Transport.nio().newEventLoopGroup(1, new DefaultThreadFactory("update-test"));
        BlockingQueue<ServerStateChange> changes = new LinkedBlockingQueue<>();
        ProxyListener listener = new ProxyListener() {
            @Override
            public void serverStateChanged(ServerStateChange change) {
                changes.add(change);
            }
        };
        try (ProxyRuntime runtime = ProxyRuntime.builder().transport(Transport.nio()).eventLoops(1).start();
                CheckedServer a = new CheckedServer(serverLoops)) {
            UpstreamGroup group = UpstreamGroup.builder("g").server("a", a.address()).server("b", address(2)).build();
            group.start(runtime.upstreamRuntime(listener, Duration.ofSeconds(1)));
            try {
                HealthCheck often = HealthCheck.builder().interval(Duration.ofMillis(20)).build();
                group.update(UpstreamGroup.builder("g").server(ServerSpec.of("a", a.address()).healthCheck(often))
                        .server("b", address(2)));
                assertTrue(a.accepted.poll(5, TimeUnit.SECONDS) != null, "a is checked once it has a check of its own");
                assertTrue(a.accepted.poll(5, TimeUnit.SECONDS) != null, "and again");

                group.update(UpstreamGroup.builder("g").server(ServerSpec.of("a", a.address()).unchecked())
                        .healthCheck(often));
                ServerStateChange removed = changes.poll(5, TimeUnit.SECONDS);
                assertTrue(removed != null && removed.server().equals("b") && removed.to() == ServerState.REMOVED,
                        "b's removal is heard: " + removed);
                assertEquals("removed by an update", removed.reason());
                // A check already connecting may still arrive; after that, none.
                TimeUnit.MILLISECONDS.sleep(100);
                a.accepted.clear();
                TimeUnit.MILLISECONDS.sleep(200);
                assertEquals(List.of(), List.copyOf(a.accepted), "unchecked now, though the group checks");
                assertEquals(List.of("a"), names(group));
            } finally {
                group.stop();
            }
        } finally {
            serverLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aDownServerWhoseChecksAnUpdateTakesAwayIsTakenAsUpAgain() throws Exception {
        BlockingQueue<ServerStateChange> changes = new LinkedBlockingQueue<>();
        ProxyListener listener = new ProxyListener() {
            @Override
            public void serverStateChanged(ServerStateChange change) {
                changes.add(change);
            }
        };
        try (ProxyRuntime runtime = ProxyRuntime.builder().transport(Transport.nio()).eventLoops(1).start()) {
            HealthCheck often = HealthCheck.builder().interval(Duration.ofMillis(20)).fall(1).build();
            // Port 1 on loopback refuses: the checks take the server down.
            UpstreamGroup group = UpstreamGroup.builder("g").server(ServerSpec.of("a", address(1)).healthCheck(often))
                    .server("b", address(2)).build();
            group.start(runtime.upstreamRuntime(listener, Duration.ofSeconds(1)));
            try {
                ServerStateChange down = changes.poll(5, TimeUnit.SECONDS);
                assertTrue(down != null && down.server().equals("a") && down.to() == ServerState.DOWN, "a down: " + down);

                group.update(UpstreamGroup.builder("g").server(ServerSpec.of("a", address(1)).unchecked())
                        .server("b", address(2)));

                ServerStateChange up = changes.poll(5, TimeUnit.SECONDS);
                assertTrue(up != null && up.server().equals("a") && up.to() == ServerState.UP, "a up again: " + up);
                assertEquals(ServerState.UP, group.servers().get(0).state(), "unchecked is taken as up");
            } finally {
                group.stop();
            }
        }
    }
}
