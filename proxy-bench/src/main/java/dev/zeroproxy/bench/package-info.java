/**
 * JMH benchmarks of ZeroProxy on loopback, those with sockets run once per
 * {@linkplain ProxyPath path}: no proxy at all, a naive blocking proxy, and ZeroProxy on each
 * transport and forwarding mode.
 *
 * <ul>
 *   <li>{@link dev.zeroproxy.bench.BulkTransferBenchmark}: one connection per operation carrying
 *       {@code size} bytes to a counting sink; throughput, plus the proxy's CPU time per MiB
 *       ({@link dev.zeroproxy.bench.ProxyCpuCounters}).</li>
 *   <li>{@link dev.zeroproxy.bench.PingPongBenchmark}: 64-byte round trips on one long-lived
 *       connection; latency.</li>
 *   <li>{@link dev.zeroproxy.bench.ConnectionSetupBenchmark}: connect, one byte each way,
 *       close; connections per second, plus the proxy's CPU time per connection
 *       ({@link dev.zeroproxy.bench.ConnectionCpuCounters}), to one upstream or to an upstream
 *       group ({@link dev.zeroproxy.bench.UpstreamShape}).</li>
 *   <li>{@link dev.zeroproxy.bench.UpstreamSelectBenchmark}: what the upstream's own calls cost
 *       per connection, without sockets, single or group.</li>
 *   <li>{@link dev.zeroproxy.bench.BalancerBenchmark}: one pick of each balance among 64
 *       servers.</li>
 * </ul>
 *
 * <p>The upstream peers ({@link dev.zeroproxy.bench.SinkServer},
 * {@link dev.zeroproxy.bench.EchoServer}) and the naive proxy are plain blocking
 * {@code java.net} code, so they share no code, and no bug, with the proxy under test. Every
 * thread here is named for its owner, so the CPU meter can sum the proxy's threads alone.
 * See {@code proxy-bench/README.md} for how to build, run and read the results.
 */
package dev.zeroproxy.bench;
