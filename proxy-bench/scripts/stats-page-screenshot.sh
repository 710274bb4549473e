#!/usr/bin/env bash
# The stats page under load, as docs/observability.md shows it: starts the forwarder from the built
# jar (`zeroproxy run -f FILE --admin ...`) in front of three small HTTP servers (python3 -m
# http.server on 127.0.0.1), one more server address where nothing listens (so one row shows a
# server DOWN by its checks), puts bounded load through it (curl loops with a fixed count, and two
# slow downloads that stay open), and takes a headless Chromium screenshot of /stats.
#
#   proxy-bench/scripts/stats-page-screenshot.sh [OUTPUT.png]     # default docs/images/stats-page.png
#
# Builds the jar first if it is missing (mvn -o package, no install). Needs python3, curl and
# Chromium (Debian: apt-get install chromium); exits 77 saying what is missing otherwise.
# Everything listens on 127.0.0.1 only; only the processes this script started are stopped, by PID.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
out=${1:-$root/docs/images/stats-page.png}

chromium=""
for candidate in chromium chromium-browser /usr/bin/chromium; do
    if command -v "$candidate" >/dev/null 2>&1; then chromium=$(command -v "$candidate"); break; fi
done
for tool in python3 curl java; do
    command -v "$tool" >/dev/null 2>&1 || { echo "skipped: $tool is not installed" >&2; exit 77; }
done
[ -n "$chromium" ] || { echo "skipped: Chromium is not installed (Debian package: chromium)" >&2; exit 77; }

jar=$root/proxy-examples/target/zeroproxy.jar
if [ ! -f "$jar" ]; then
    echo "building $jar" >&2
    mvn -o -q -pl proxy-core,proxy-epoll,proxy-iouring,proxy-config,proxy-examples -am package -DskipTests
fi

work=$(mktemp -d)
pids=()
cleanup() {
    exec 3>&- 4>&-
    # Each PID this script started, last started first (the load, then the forwarder, then the
    # servers), with the children of its load loops (a curl in flight), by parent PID.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        pkill -P "${pids[i]}" 2>/dev/null || true
        kill "${pids[i]}" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# Free ports on 127.0.0.1, asked of the kernel (bind to 0), then released for the servers to take.
read -r -a ports <<<"$(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(7)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
)"
web1=${ports[0]} web2=${ports[1]} api=${ports[2]} admin=${ports[3]}
app1=${ports[4]} app2=${ports[5]} api1=${ports[6]}
dead=9   # discard: nothing listens on 127.0.0.1:9 here, so its checks fail

# The servers' files: a small page, a 1 MB one, and a large one for the slow, long-lived downloads
# (larger than the socket buffers on both sides, so that the proxy holds them open while they run).
mkdir -p "$work/www"
head -c 20000 /dev/urandom >"$work/www/page"
head -c 1000000 /dev/urandom >"$work/www/bulk"
head -c 48000000 /dev/urandom >"$work/www/big"
for port in "$app1" "$app2" "$api1"; do
    python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
    pids+=($!)
done

cat >"$work/zeroproxy.cfg" <<CFG
global
    nbthread 2
    hard-stop-after 5s

defaults
    mode tcp
    timeout connect 2s
    timeout client 1m
    timeout server 1m

frontend web
    bind 127.0.0.1:$web1
    bind 127.0.0.1:$web2
    default_backend app

frontend api
    bind 127.0.0.1:$api
    maxconn 100
    default_backend api

backend app
    balance roundrobin
    default-server inter 1s rise 2 fall 2
    server app1 127.0.0.1:$app1 check
    server app2 127.0.0.1:$app2 check weight 2

backend api
    balance leastconn
    default-server inter 1s rise 2 fall 2
    server api1 127.0.0.1:$api1 check maxconn 50
    server api2 127.0.0.1:$dead check
CFG

java -jar "$jar" run -f "$work/zeroproxy.cfg" --admin "127.0.0.1:$admin" --stats-refresh 5s >"$work/zeroproxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
    grep -q "zeroproxy running" "$work/zeroproxy.log" && break
    sleep 0.1
done
grep -q "zeroproxy running" "$work/zeroproxy.log" || { cat "$work/zeroproxy.log" >&2; exit 1; }
for port in "$app1" "$app2" "$api1"; do
    for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/page" && break; sleep 0.1; done
done

# Bounded load: 4 loops of 60 requests through the web binds, 1 of 60 through api.
load() { for _ in $(seq 1 60); do curl -s -o /dev/null --max-time 10 "$1" || true; done; }
load "http://127.0.0.1:$web1/page" & pids+=($!)
load "http://127.0.0.1:$web2/page" & pids+=($!)
load "http://127.0.0.1:$web1/bulk" & pids+=($!)
load "http://127.0.0.1:$web2/page" & pids+=($!)
load "http://127.0.0.1:$api/page" & pids+=($!)
# Three slow downloads (cut after 30 s at the latest) so the page shows sessions in progress, and
# two connections that send nothing (bash's /dev/tcp; closed with this shell).
for url in "http://127.0.0.1:$web1/big" "http://127.0.0.1:$web2/big" "http://127.0.0.1:$api/big"; do
    curl -s -o /dev/null --limit-rate 500k --max-time 30 "$url" & pids+=($!)
done
exec 3<>"/dev/tcp/127.0.0.1/$web1"
exec 4<>"/dev/tcp/127.0.0.1/$api"

# Long enough for api2's checks to mark it down (fall 2, inter 1s) and for the loops to run.
sleep 8
mkdir -p "$(dirname "$out")"
"$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$work/profile" --hide-scrollbars --window-size=1280,860 \
    --screenshot="$out" "http://127.0.0.1:$admin/stats" >/dev/null 2>"$work/chromium.err" \
    || { cat "$work/chromium.err" >&2; exit 1; }
curl -s "http://127.0.0.1:$admin/stats.json" >"$work/stats.json"
echo "screenshot: $out ($(stat -c %s "$out") bytes); /stats.json had $(wc -c <"$work/stats.json") bytes"
