package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.testkit.FreePorts;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code zeroproxy run -f FILE} process, driven as an operator would: it serves every
 * frontend of the file; SIGHUP after an edit reloads it (a new bind serves, a removed one refuses
 * new clients while its open connection finishes, a kept one never stops), SIGHUP with a broken
 * file changes nothing and says why at file:line:column; SIGTERM drains and exits 0; a bind
 * already taken at the start is exit code 2 naming the bind line. Loopback only; each test's
 * process is killed at the end if still running.
 */
@Timeout(90)
class RunCommandTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration SIGNAL = Duration.ofSeconds(15);

    private final List<ServerSocket> upstreams = new ArrayList<>();
    private InetSocketAddress app1;
    private InetSocketAddress app2;
    private InetSocketAddress canary;

    /** Three echoing servers: two for backend app, one for backend canary. */
    @BeforeEach
    void startUpstreams() throws IOException {
        app1 = echo();
        app2 = echo();
        canary = echo();
    }

    private InetSocketAddress echo() throws IOException {
        ServerSocket upstream = new ServerSocket(0, 50, LOOPBACK);
        upstreams.add(upstream);
        EchoUpstream.serve(upstream);
        return (InetSocketAddress) upstream.getLocalSocketAddress();
    }

    @AfterEach
    void stopUpstreams() throws IOException {
        for (ServerSocket upstream : upstreams) {
            upstream.close();
        }
    }

    /** Two frontends over two backends, or (edited) one of them kept, one removed, one added, a weight changed. */
    private String file(InetSocketAddress web, InetSocketAddress second, String secondName, int app2Weight) {
        return String.join("\n",
                "global",
                "    nbthread 2",
                "    hard-stop-after 10s",
                "",
                "defaults",
                "    mode tcp",
                "    timeout connect 2s",
                "    timeout client 1m",
                "    timeout server 1m",
                "",
                "frontend web",
                "    bind " + hostPort(web),
                "    default_backend app",
                "",
                "frontend " + secondName,
                "    bind " + hostPort(second),
                "    default_backend canary",
                "",
                "backend app",
                "    balance roundrobin",
                "    server app1 " + hostPort(app1),
                "    server app2 " + hostPort(app2) + " weight " + app2Weight,
                "",
                "backend canary",
                "    server canary1 " + hostPort(canary),
                "");
    }

    @Test
    void runServesReloadsOnSighupRefusesABrokenFileAndDrainsOnSigterm(@TempDir Path dir) throws Exception {
        List<Integer> ports = FreePorts.outsideEphemeralRange(3);
        InetSocketAddress web = new InetSocketAddress(LOOPBACK, ports.get(0));
        InetSocketAddress admin = new InetSocketAddress(LOOPBACK, ports.get(1));
        InetSocketAddress extra = new InetSocketAddress(LOOPBACK, ports.get(2));
        Path file = dir.resolve("zeroproxy.cfg");
        Files.writeString(file, file(web, admin, "admin", 1));

        try (ForwarderProcess zp = ForwarderProcess.start("run", "-f", file.toString())) {
            assertTrue(zp.awaitLine("zeroproxy running", START).contains("(generation 1)"), zp.log());
            zp.awaitLine("zeroproxy frontend web listening on " + hostPort(web), SIGNAL);
            zp.awaitLine("zeroproxy frontend admin listening on " + hostPort(admin), SIGNAL);
            roundTrip(web);
            roundTrip(admin);

            // Reload: admin removed, extra added, app2's weight changed; two connections open across it.
            try (Socket onKept = openPair(web); Socket onRemoved = openPair(admin)) {
                Files.writeString(file, file(web, extra, "extra", 3));
                zp.signal("HUP");
                String reloaded = zp.awaitLine("SIGHUP: reloaded", SIGNAL);
                assertTrue(reloaded.contains("SIGHUP: reloaded " + file + ", generation 2: 1 bind(s) opened [/"
                        + hostPort(extra) + "], 1 closed [/" + hostPort(admin) + "], 1 kept; backends added [],"
                        + " removed [], updated [app, canary]"), reloaded);
                zp.awaitLine("zeroproxy frontend extra listening on " + hostPort(extra), SIGNAL);
                roundTrip(extra);
                roundTrip(web);
                assertThrows(ConnectException.class, () -> roundTrip(admin), "the removed bind refuses");
                exchange(onKept);
                exchange(onRemoved); // drains: its connection finishes under the old file
                finish(onKept);
                finish(onRemoved);
            }

            // A broken file: nothing changes, the errors are logged where they are.
            String good = Files.readString(file);
            Files.writeString(file, good.replace("    balance roundrobin", "    ballance roundrobin"));
            zp.signal("HUP");
            zp.awaitLine("still serving generation 2", SIGNAL);
            assertTrue(zp.awaitLine("reload refused", SIGNAL).contains(file + ": 1 error(s)"), zp.log());
            String error = zp.awaitLine(file + ":20:5: ballance: ", SIGNAL);
            assertTrue(error.endsWith("did you mean 'balance'?"), error);
            roundTrip(web);
            roundTrip(extra);
            assertThrows(ConnectException.class, () -> roundTrip(admin), "still removed");

            // SIGTERM: the open connection finishes, then exit 0.
            try (Socket client = openPair(web)) {
                zp.signal("TERM");
                zp.awaitLine("zeroproxy stopping", SIGNAL);
                exchange(client);
                finish(client);
            }
            assertEquals(0, zp.awaitExit(SIGNAL), zp.log());
            assertTrue(zp.awaitLine("zeroproxy stopped", SIGNAL).contains("0 by the drain timeout"), zp.log());
            assertFalse(zp.log().contains("Exception"), zp.log());
        }
    }

    @Test
    void aBindAlreadyTakenAtStartIsExitCodeTwoNamingTheBindLine(@TempDir Path dir) throws Exception {
        List<Integer> ports = FreePorts.outsideEphemeralRange(2);
        InetSocketAddress web = new InetSocketAddress(LOOPBACK, ports.get(0));
        InetSocketAddress admin = new InetSocketAddress(LOOPBACK, ports.get(1));
        Path file = dir.resolve("zeroproxy.cfg");
        Files.writeString(file, file(web, admin, "admin", 1));
        try (ServerSocket taken = new ServerSocket(admin.getPort(), 50, LOOPBACK);
                ForwarderProcess zp = ForwarderProcess.start("run", "-f", file.toString())) {
            assertEquals(2, zp.awaitExit(START), zp.log());
            String error = zp.awaitLine(file + ":16:10: bind: cannot listen on " + hostPort(admin) + ": ", SIGNAL);
            assertTrue(zp.log().startsWith("zeroproxy run: " + file + ": 1 error(s)"), zp.log());
            assertTrue(error.contains("(expected: an address this machine has and no other socket listens on)"), error);
            assertFalse(zp.log().contains("Exception"), zp.log());
            // Nothing was left listening: the first bind was closed again.
            assertThrows(ConnectException.class, () -> roundTrip(web));
        }
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** A connection through {@code address} that has had one exchange echoed, left open. */
    private static Socket openPair(InetSocketAddress address) throws IOException {
        Socket client = new Socket();
        client.connect(address, 5_000);
        client.setSoTimeout(15_000);
        exchange(client);
        return client;
    }

    /** 4 KiB of random bytes, echoed byte for byte. */
    private static void exchange(Socket client) throws IOException {
        byte[] sent = new byte[4096];
        new SplittableRandom().nextBytes(sent);
        client.getOutputStream().write(sent);
        assertArrayEquals(sent, client.getInputStream().readNBytes(sent.length), "echoed byte for byte");
    }

    /** Half-closes and expects the echo's EOF: the connection ended cleanly. */
    private static void finish(Socket client) throws IOException {
        client.shutdownOutput();
        assertEquals(-1, client.getInputStream().read());
    }

    private static void roundTrip(InetSocketAddress address) throws IOException {
        try (Socket client = openPair(address)) {
            finish(client);
        }
    }

}
