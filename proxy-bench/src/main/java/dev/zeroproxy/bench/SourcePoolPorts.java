package dev.zeroproxy.bench;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.Forwarding;
import dev.zeroproxy.Proxy;
import dev.zeroproxy.ProxyListener;
import dev.zeroproxy.Transport;
import dev.zeroproxy.edge.SourcePool;
import dev.zeroproxy.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many upstream connections a proxy holds at once towards its servers, with and without a
 * {@link SourcePool}: {@code proxy-bench/scripts/source-pool-ports.sh} runs it in a network
 * namespace of its own with a narrowed ephemeral port range, where one source address runs out
 * of ports after a hundred connections to one server.
 *
 * <p>Arguments: {@code TRANSPORT SOURCES SERVERS CONNECTIONS}: a transport name; {@code none}
 * (the kernel picks the source) or a comma-separated list of source addresses, used round robin;
 * how many upstream servers (127.0.0.1, ports 7001 up; connections go round them); how many
 * clients to hold open at once. Clients come from 127.0.0.9 with explicit ports (20000 up), so
 * that they take nothing of the ephemeral range themselves; the proxy listens on 127.0.0.1:7000.
 * Prints one line of figures and exits; everything is bounded by the connection count and a
 * 20-second settling deadline.
 */
public final class SourcePoolPorts {
    private static final Duration SETTLE = Duration.ofSeconds(20);

    private SourcePoolPorts() { }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: SourcePoolPorts TRANSPORT none|ADDR[,ADDR...] SERVERS CONNECTIONS");
            System.exit(2);
        }
        Transport transport = Transport.named(args[0]);
        SourcePool pool = null;
        if (!args[1].equals("none")) {
            List<InetAddress> sources = new ArrayList<>();
            for (String a : args[1].split(",")) {
                sources.add(InetAddress.getByName(a));
            }
            pool = SourcePool.of(SourcePool.Mode.ROUND_ROBIN, sources);
        }
        int serverCount = Integer.parseInt(args[2]);
        int connections = Integer.parseInt(args[3]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");

        List<Socket> held = new CopyOnWriteArrayList<>();
        List<ServerSocket> servers = new ArrayList<>();
        Map<Integer, AtomicInteger> accepted = new ConcurrentHashMap<>();
        UpstreamGroup.Builder group = UpstreamGroup.builder("bench").retries(0);
        for (int s = 0; s < serverCount; s++) {
            ServerSocket server = new ServerSocket(7001 + s, 4096, loopback);
            servers.add(server);
            AtomicInteger count = accepted.computeIfAbsent(server.getLocalPort(), p -> new AtomicInteger());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        held.add(server.accept());
                        count.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "upstream-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            group.server("s" + s, new InetSocketAddress(loopback, server.getLocalPort()));
        }
        AtomicInteger failed = new AtomicInteger();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        ProxyListener listener = new ProxyListener() {
            @Override
            public void upstreamConnectFailed(ConnectionInfo connection, Throwable cause) {
                failed.incrementAndGet();
                failures.computeIfAbsent(String.valueOf(cause.getMessage()), k -> new AtomicInteger()).incrementAndGet();
            }
        };
        long start = System.nanoTime();
        int clientsOpen = 0;
        try (Proxy proxy = Proxy.builder()
                .listen(new InetSocketAddress(loopback, 7000))
                .upstream(group.build())
                .transport(transport)
                .forwarding(Forwarding.COPY)
                .eventLoops(2)
                .connectTimeout(Duration.ofSeconds(3))
                .drainTimeout(Duration.ZERO)
                .sourcePool(pool)
                .listener(listener)
                .start()) {
            InetAddress clientAddress = InetAddress.getByName("127.0.0.9");
            for (int i = 0; i < connections; i++) {
                Socket client = new Socket();
                client.bind(new InetSocketAddress(clientAddress, 20000 + i));
                client.connect(proxy.localAddress(), 2_000);
                held.add(client);
                clientsOpen++;
            }
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (total(accepted) + failed.get() < connections && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            System.out.printf("transport=%s sources=%s servers=%d clients=%d upstream_connected=%d"
                    + " upstream_failed=%d per_server=%s failures=%s in %d ms%n",
                    transport.name(), pool == null ? "kernel" : pool.addresses().size() + "", serverCount,
                    clientsOpen, total(accepted), failed.get(), accepted, failures,
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            for (Socket s : held) {
                s.close();
            }
            for (ServerSocket s : servers) {
                s.close();
            }
        }
    }

    private static int total(Map<Integer, AtomicInteger> counts) {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }
}
