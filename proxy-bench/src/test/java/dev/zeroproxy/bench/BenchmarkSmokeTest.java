package dev.zeroproxy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once, briefly, on every path, through the JMH {@link Runner}: proves
 * that each one starts its path, carries correct bytes (the benchmarks check what they
 * receive and throw otherwise) and tears down, without measuring anything worth reading.
 *
 * <p>Not forked ({@code forks(0)}): a fork costs a JVM start per path, and in this JVM the
 * build's paranoid leak detection and the test kit's leak detector watch the proxy too.
 */
class BenchmarkSmokeTest {
    private static final List<String> ALL_PATHS =
            Arrays.stream(ProxyPath.values()).map(ProxyPath::paramName).collect(Collectors.toList());

    @Test
    @Timeout(60)
    void bulkTransferMovesEveryByteOnEveryPathAndMetersTheProxyCpu() throws RunnerException {
        Collection<RunResult> results = run(BulkTransferBenchmark.class, options().param("size", "16384"));

        assertOneResultPerPath(results, 1);
        for (RunResult result : results) {
            String path = result.getParams().getParam("path");
            Map<String, Result> secondary = result.getSecondaryResults();
            double proxyCpu = secondary.get("proxyUserCpuUsPerMiB").getScore()
                    + secondary.get("proxySysCpuUsPerMiB").getScore();
            if (path.equals("direct")) {
                assertEquals(0.0, proxyCpu, "direct has no proxy whose CPU to count");
            } else {
                assertTrue(proxyCpu > 0, path + ": no CPU time found for the proxy's threads: " + proxyCpu);
            }
        }
    }

    @Test
    @Timeout(60)
    void pingPongRoundTripsOnEveryPathInBothModes() throws RunnerException {
        Collection<RunResult> results = run(PingPongBenchmark.class, options());

        assertOneResultPerPath(results, 2); // avgt and sample
    }

    @Test
    @Timeout(60)
    void connectionSetupConnectsOnEveryPathAndMetersTheProxyCpu() throws RunnerException {
        Collection<RunResult> results = run(ConnectionSetupBenchmark.class, options());

        assertOneResultPerPath(results, 1);
        for (RunResult result : results) {
            assertConnectionCpu(result);
        }
    }

    @Test
    @Timeout(60)
    void connectionSetupConnectsThroughEveryUpstreamShapeOnAZeroProxyPath() throws RunnerException {
        List<String> shapes =
                Arrays.stream(UpstreamShape.values()).map(UpstreamShape::paramName).collect(Collectors.toList());

        Collection<RunResult> results = run(ConnectionSetupBenchmark.class, briefly()
                .param("path", "nio-copy")
                .param("upstream", shapes.toArray(new String[0])));

        TreeSet<String> measured = new TreeSet<>();
        for (RunResult result : results) {
            double score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), result.getParams().getParam("upstream") + ": " + score);
            assertConnectionCpu(result);
            measured.add(result.getParams().getParam("upstream"));
        }
        assertEquals(new TreeSet<>(shapes), measured);
    }

    @Test
    @Timeout(60)
    void upstreamSelectLeasesWithEveryUpstreamShape() throws RunnerException {
        Collection<RunResult> results = run(UpstreamSelectBenchmark.class, briefly());

        TreeSet<String> shapes = new TreeSet<>();
        for (RunResult result : results) {
            double score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), result.getParams().getParam("upstream") + ": " + score);
            shapes.add(result.getParams().getParam("upstream"));
        }
        assertEquals(new TreeSet<>(List.of("group3", "group3-leastconn", "single")), shapes);
    }

    @Test
    @Timeout(60)
    void meteredPathsConnectAndTransferBesideUnmeteredOnesAndMeterTheProxyCpu() throws RunnerException {
        Collection<RunResult> setups = run(ConnectionSetupBenchmark.class, briefly()
                .param("path", "nio-copy", "epoll-auto")
                .param("metrics", "off", "on"));
        Collection<RunResult> bulk = run(BulkTransferBenchmark.class, briefly()
                .param("path", "epoll-splice")
                .param("size", "1048576")
                .param("metrics", "off", "on"));

        TreeSet<String> measured = new TreeSet<>();
        for (RunResult result : setups) {
            assertConnectionCpu(result);
            measured.add(result.getParams().getParam("path") + " " + result.getParams().getParam("metrics"));
        }
        for (RunResult result : bulk) {
            double score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), result.getParams().getParam("metrics") + ": " + score);
            measured.add(result.getParams().getParam("path") + " " + result.getParams().getParam("metrics"));
        }
        assertEquals(new TreeSet<>(List.of("nio-copy off", "nio-copy on", "epoll-auto off", "epoll-auto on",
                "epoll-splice off", "epoll-splice on")), measured);
    }

    @Test
    void metricsAreRefusedOnPathsWithoutThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProxyPath.DIRECT.start(UpstreamShape.SINGLE,
                        List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1)), true));

        assertEquals("metrics on: path direct has no metrics (only the ZeroProxy paths do)", e.getMessage());
    }

    @Test
    void upstreamGroupsAreRefusedOnPathsWithoutThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProxyPath.NAIVE.start(UpstreamShape.GROUP3, List.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 1),
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 2),
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 3))));

        assertEquals("upstream group3: path naive has no upstream groups (only the ZeroProxy paths do)",
                e.getMessage());
    }

    @Test
    @Timeout(60)
    void balancerPicksWithEveryBalance() throws RunnerException {
        Collection<RunResult> results = run(BalancerBenchmark.class, new OptionsBuilder()
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(150))
                .shouldFailOnError(true));

        TreeSet<String> balances = new TreeSet<>();
        for (RunResult result : results) {
            double score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), result.getParams().getParam("balance") + ": " + score);
            balances.add(result.getParams().getParam("balance"));
        }
        assertEquals(new TreeSet<>(List.of("leastconn", "random2", "roundrobin", "source")), balances);
    }

    /** One measurement iteration of 150 ms, no warmup, in this JVM, every path. */
    private static ChainedOptionsBuilder options() {
        return briefly().param("path", ALL_PATHS.toArray(new String[0]));
    }

    /** One measurement iteration of 150 ms, no warmup, in this JVM; the paths still to choose. */
    private static ChainedOptionsBuilder briefly() {
        return new OptionsBuilder()
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(150))
                // Bounds an iteration that hangs (a path that loses bytes): JMH interrupts it.
                .timeout(TimeValue.seconds(20))
                .shouldFailOnError(true);
    }

    private static Collection<RunResult> run(Class<?> benchmark, ChainedOptionsBuilder options)
            throws RunnerException {
        return new Runner(options.include("^" + Pattern.quote(benchmark.getName()) + "\\.").build()).run();
    }

    private static void assertConnectionCpu(RunResult result) {
        String path = result.getParams().getParam("path");
        double proxyCpu = result.getSecondaryResults().get("proxyCpuUsPerConn").getScore();
        if (path.equals("direct")) {
            assertEquals(0.0, proxyCpu, "direct has no proxy whose CPU to count");
        } else {
            assertTrue(proxyCpu > 0 && Double.isFinite(proxyCpu),
                    path + " " + result.getParams().getParam("upstream") + ": proxy CPU per connection " + proxyCpu);
        }
    }

    private static void assertOneResultPerPath(Collection<RunResult> results, int modes) {
        TreeSet<String> paths = new TreeSet<>();
        for (RunResult result : results) {
            String path = result.getParams().getParam("path");
            double score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score),
                    path + " " + result.getParams().getMode() + ": score " + score);
            paths.add(path);
        }
        assertEquals(new TreeSet<>(ALL_PATHS), paths);
        assertEquals(ALL_PATHS.size() * modes, results.size());
    }
}
