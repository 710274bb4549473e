package dev.zeroproxy.config;

import static dev.zeroproxy.config.Running.loopback;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.testkit.Await;
import dev.zeroproxy.testkit.LoopbackServer;
import dev.zeroproxy.testkit.RecordingListener;
import dev.zeroproxy.testkit.TaggedServer;
import dev.zeroproxy.upstream.ServerState;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The files of {@code src/test/resources/real-world}, written as users write them, with the real
 * ports (5432, 6379, 443, ...): each is read and checked as it is, then run and shown to do what
 * it says. To run one, the test rewrites each {@code 127.0.0.1:PORT} of its text, and nothing
 * else ({@link #withPorts} checks that), to a port of this machine: a server line's to the port
 * of a test server started for it, a bind's to a free port.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RealWorldFilesTest {
    private static final Pattern LOOPBACK_PORT = Pattern.compile("127\\.0\\.0\\.1:(\\d+)");
    private static final List<String> FILES = List.of("postgresql.cfg", "redis.cfg", "tls-passthrough.cfg",
            "mysql-stats.cfg");
    private static final int PAYLOAD = 256 * 1024;

    @Test
    void everyFileIsReadAndCheckedAsItIsWritten() throws Exception {
        for (String name : FILES) {
            ProxyFile file = ConfigParser.parse(path(name));

            Deployment.check(file);
            Configs.running(name, text(name));
            assertEquals(path(name).toString(), file.name());
        }
    }

    @Test
    void postgresqlWritesGoToThePrimaryAndReadsToReplicasThenToThePrimaryWhenReplicasAreDown() throws Exception {
        String text = text("postgresql.cfg");
        ProxyFile original = Configs.running("postgresql.cfg", text);
        try (TaggedServer primary = TaggedServer.start(1);
                TaggedServer replica1 = TaggedServer.start(2);
                TaggedServer replica2 = TaggedServer.start(3)) {
            Map<Integer, Integer> ports = bindsToFreePorts(original);
            ports.put(15432, primary.address().getPort());
            ports.put(15433, replica1.address().getPort());
            ports.put(15434, replica2.address().getPort());
            int write = ports.get(5432);
            int read = ports.get(5433);

            try (Deployment deployment = Running.start(withPorts(text, ports), new RecordingListener())) {
                assertEquals(1, Session.exchange(loopback(write), 1, PAYLOAD), "writes go to pg-primary");
                // leastconn: two reads at once take one replica each.
                try (Session first = Session.open(loopback(read)); Session second = Session.open(loopback(read))) {
                    assertEquals(Set.of(2, 3), Set.of(first.tag(), second.tag()));
                    first.roundTrip(2, PAYLOAD);
                    second.roundTrip(3, PAYLOAD);
                    first.finish();
                    second.finish();
                }

                replica1.stopListening();
                replica2.stopListening();
                // Checks every 3 s, fall 3, as the file says: down within about 9 s.
                UpstreamGroup replicas = deployment.backends().get("pg-replicas");
                Await.until(() -> state(replicas, "pg-replica1") == ServerState.DOWN
                        && state(replicas, "pg-replica2") == ServerState.DOWN, Duration.ofSeconds(30),
                        () -> "the replicas marked down: " + replicas.servers());

                assertEquals(1, Session.exchange(loopback(read), 4, PAYLOAD), "reads fall back to the primary");
                assertEquals(1, Session.exchange(loopback(write), 5, PAYLOAD), "writes still go to the primary");
            }
        }
    }

    @Test
    void redisKeepsEachClientOnOneCacheAndRefusesNoLoopbackClient() throws Exception {
        String text = text("redis.cfg");
        ProxyFile original = Configs.running("redis.cfg", text);
        try (TaggedServer cache1 = TaggedServer.start(1);
                TaggedServer cache2 = TaggedServer.start(2);
                TaggedServer cache3 = TaggedServer.start(3)) {
            Map<Integer, Integer> ports = bindsToFreePorts(original);
            ports.put(16379, cache1.address().getPort());
            ports.put(16380, cache2.address().getPort());
            ports.put(16381, cache3.address().getPort());
            RecordingListener listener = new RecordingListener();

            try (Deployment deployment = Running.start(withPorts(text, ports), listener)) {
                Set<Integer> caches = new HashSet<>();
                for (String client : List.of("127.0.0.1", "127.0.0.2", "127.0.0.9", "127.0.1.1", "127.1.2.3",
                        "127.200.0.1", "127.255.255.254")) {
                    int cache = Session.exchange(client, loopback(ports.get(6379)), client.hashCode(), 4096);
                    for (int again = 0; again < 3; again++) {
                        assertEquals(cache, Session.exchange(client, loopback(ports.get(6379)), again, 4096),
                                client + " stays on its cache");
                    }
                    caches.add(cache);
                }
                assertTrue(caches.size() > 1, () -> "seven clients all hashed to cache " + caches);
                assertEquals(List.of(), listener.refusals());
            }
            // And the lines refuse what is not loopback, as the file means.
            var rules = AccessTranslation.translate(original.frontends().get(0).rules());
            assertFalse(rules.allows(InetAddress.getByName("10.0.0.1")));
            assertFalse(rules.allows(InetAddress.getByName("::1")), "127.0.0.0/8 does not hold IPv6's loopback");
        }
    }

    @Test
    void tlsPassthroughRelaysOpaqueBytesAndGivesEachBackendTheClientInAProxyV2Header() throws Exception {
        String text = text("tls-passthrough.cfg");
        ProxyFile original = Configs.running("tls-passthrough.cfg", text);
        BlockingQueue<V2Header> headers = new LinkedBlockingQueue<>();
        try (LoopbackServer web1 = V2Header.server(1, headers);
                LoopbackServer web2 = V2Header.server(2, headers);
                LoopbackServer intra1 = V2Header.server(3, headers)) {
            Map<Integer, Integer> ports = bindsToFreePorts(original);
            ports.put(8443, web1.address().getPort());
            ports.put(8444, web2.address().getPort());
            ports.put(9443, intra1.address().getPort());
            int https = ports.get(443);

            try (Deployment deployment = Running.start(withPorts(text, ports), new RecordingListener())) {
                Set<Integer> servers = new HashSet<>();
                for (int i = 0; i < 4; i++) {
                    try (Session session = Session.open(loopback(https))) {
                        // A TLS record header, then what only the endpoints can read: relayed untouched.
                        byte[] recordHeader = {0x16, 0x03, 0x01, 0x02, 0x00};
                        session.output().write(recordHeader);
                        servers.add(session.tag());
                        assertArrayEquals(recordHeader, session.read(recordHeader.length));
                        session.roundTrip(40 + i, PAYLOAD);
                        session.finish();

                        V2Header header = headers.poll(10, TimeUnit.SECONDS);
                        assertNotNull(header, "a PROXY v2 header before the client's bytes");
                        assertEquals(session.localAddress(), header.source());
                        assertEquals(loopback(https), header.destination());
                    }
                }
                assertEquals(Set.of(1, 2), servers, "round robin over tls-public");
            }
        }
    }

    @Test
    void mysqlRunsItsDatabaseFrontendAndLeavesTheStatsSectionToTheAdminEndpoint() throws Exception {
        String text = text("mysql-stats.cfg");
        ProxyFile original = Configs.running("mysql-stats.cfg", text);
        StatsSection stats = original.stats().orElseThrow();
        assertEquals("127.0.0.1:8404/stats, refresh 10s", stats.describe(), "':8404' is loopback");
        try (TaggedServer db1 = TaggedServer.start(1);
                TaggedServer db2 = TaggedServer.start(2);
                TaggedServer db3 = TaggedServer.start(3)) {
            Map<Integer, Integer> ports = bindsToFreePorts(original);
            ports.put(13306, db1.address().getPort());
            ports.put(13307, db2.address().getPort());
            ports.put(13308, db3.address().getPort());

            try (Deployment deployment = Running.start(withPorts(text, ports), new RecordingListener())) {
                assertEquals(List.of("mysql"), List.copyOf(new LinkedHashSet<>(deployment.frontends().values())));
                assertEquals(Set.of("mysql-primary"), deployment.backends().keySet());
                assertEquals(1, Session.exchange(loopback(ports.get(3306)), 7, PAYLOAD), "the primary, not a backup");
                assertTrue(stats.servesAs(deployment.file().stats().orElseThrow()));
            }
        }
    }

    /**
     * The text with each {@code 127.0.0.1:PORT} as {@code ports} maps it, every port mapped:
     * nothing else of the file changes.
     */
    static String withPorts(String text, Map<Integer, Integer> ports) {
        Matcher matcher = LOOPBACK_PORT.matcher(text);
        String rewritten = matcher.replaceAll(found -> {
            Integer port = ports.get(Integer.parseInt(found.group(1)));
            assertNotNull(port, () -> "no port for " + found.group());
            return "127.0.0.1:" + port;
        });
        assertEquals(LOOPBACK_PORT.matcher(text).replaceAll("127.0.0.1:PORT"),
                LOOPBACK_PORT.matcher(rewritten).replaceAll("127.0.0.1:PORT"), "only the ports change");
        return rewritten;
    }

    /** A free port for each bind of the file. */
    private static Map<Integer, Integer> bindsToFreePorts(ProxyFile file) throws IOException {
        Set<Integer> binds = new LinkedHashSet<>();
        file.frontends().forEach(frontend -> frontend.binds().forEach(bind -> binds.add(bind.address().getPort())));
        Map<Integer, Integer> ports = new HashMap<>();
        List<Integer> taken = new ArrayList<>();
        for (int port : binds) {
            int free = Session.freePort(); // Never one handed out before: see Session.freePort.
            assertFalse(taken.contains(free));
            taken.add(free);
            ports.put(port, free);
        }
        return ports;
    }

    private static ServerState state(UpstreamGroup group, String server) {
        return group.servers().stream().filter(s -> s.name().equals(server)).findFirst().orElseThrow().state();
    }

    private static Path path(String name) throws URISyntaxException {
        URL resource = RealWorldFilesTest.class.getResource("/real-world/" + name);
        assertNotNull(resource, name);
        return Path.of(resource.toURI());
    }

    private static String text(String name) throws IOException, URISyntaxException {
        return Files.readString(path(name), StandardCharsets.UTF_8);
    }
}
