#!/usr/bin/env bash
# Source-address pools against port exhaustion: how many upstream connections the proxy holds at
# once, each case in a network namespace of its own (unshare -n, as root) whose ephemeral port
# range is narrowed to RANGE (100 ports by default), so one source address runs out after about a
# hundred connections to one server address. Each case is one run of
# dev.zeroproxy.bench.SourcePoolPorts (clients from 127.0.0.9 with explicit ports, proxy on
# 127.0.0.1:7000, servers on 127.0.0.1:7001 up; everything on loopback inside the namespace).
#
#   proxy-bench/scripts/source-pool-ports.sh
#   env: JAR (proxy-bench/target/benchmarks.jar), RANGE ("40000 40099"), N1 (350), N2 (700), N3 (1000)
#
# Cases: no pool, a pool of one, a pool of four, towards one server (N1 clients); then a pool of
# four towards two servers (N2 clients, epoll) and towards three servers (N3 clients) on epoll
# and io_uring (IP_BIND_ADDRESS_NO_PORT: ports counted per 4-tuple) and NIO (the fallback: bind()
# picks the port, one range per source for all servers together). Each run is bounded by a 90 s timeout; the namespace and everything in it
# ends with its run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
JAR="${JAR:-$here/../target/benchmarks.jar}"
RANGE="${RANGE:-40000 40099}"
N1="${N1:-350}"; N2="${N2:-700}"; N3="${N3:-1000}"
POOL4="127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5"
[ -f "$JAR" ] || { echo "no $JAR: build with mvn -o -q -pl proxy-bench -am package -DskipTests" >&2; exit 1; }
if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
  echo "unshare -n is not permitted here (needs root, or user namespaces): nothing measured" >&2
  exit 1
fi

run() { # TRANSPORT SOURCES SERVERS CLIENTS
  timeout 90 unshare -n sh -c '
    ip link set lo up &&
    echo "$1" > /proc/sys/net/ipv4/ip_local_port_range &&
    exec java -cp "$2" dev.zeroproxy.bench.SourcePoolPorts "$3" "$4" "$5" "$6"
  ' sh "$RANGE" "$JAR" "$@" 2>/dev/null | grep '^transport=' || echo "transport=$1 sources=$2: run failed"
}

echo "# ip_local_port_range inside each namespace: $RANGE"
run epoll none 1 "$N1"
run epoll 127.0.0.2 1 "$N1"
run epoll "$POOL4" 1 "$N1"
run nio "$POOL4" 1 "$N1"
run epoll "$POOL4" 2 "$N2"
run epoll "$POOL4" 3 "$N3"
run io_uring "$POOL4" 3 "$N3"
run nio "$POOL4" 3 "$N3"
