package dev.zeroproxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Ports free on 127.0.0.1 for a configuration file, which needs real ports (its parser, as
 * HAProxy's, refuses port 0). Taken below the kernel's ephemeral range (or above it, if it
 * leaves too little room below), so that no outgoing connection of the test can take one
 * between the pick and the proxy's bind.
 */
public final class FreePorts {
    private FreePorts() { }

    /** {@code count} distinct ports, each free when picked. */
    public static List<Integer> outsideEphemeralRange(int count) throws IOException {
        int ephemeralLow = 32768;
        int ephemeralHigh = 60999;
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.isReadable(range)) {
            // Read line by line: procfs files report a size of 0.
            String[] bounds = Files.readAllLines(range).get(0).trim().split("\\s+");
            ephemeralLow = Integer.parseInt(bounds[0]);
            ephemeralHigh = Integer.parseInt(bounds[1]);
        }
        boolean below = ephemeralLow - 1024 >= 4096;
        int low = below ? Math.max(1024, ephemeralLow - 12_000) : ephemeralHigh + 1;
        int high = below ? ephemeralLow : 65536;
        SplittableRandom random = new SplittableRandom();
        Set<Integer> ports = new LinkedHashSet<>();
        for (int tries = 0; ports.size() < count && tries < 1_000; tries++) {
            int port = random.nextInt(low, high);
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                ports.add(port);
            } catch (IOException inUse) {
                // Another one.
            }
        }
        assertEquals(count, ports.size(), "free ports in " + low + ".." + high);
        return List.copyOf(ports);
    }
}
