#!/usr/bin/env bash
# System calls per connection of one proxy, counted by strace on 127.0.0.1.
#
#   proxy-bench/scripts/syscalls-per-conn.sh [--variant zp-epoll-auto|nginx|haproxy] [--warmup N]
#                                              [--conns N] [--out DIR]
#   ZEROPROXY_CMD="java -jar /tmp/zp.jar" proxy-bench/scripts/syscalls-per-conn.sh
#
# Starts a python echo upstream and the proxy, warms it with WARMUP connections (1 byte each
# way, then close; the JVM's JIT settles), then `strace -c -f` on every process of the proxy
# while CONNS more connections run, and prints each system call's count per connection. Then
# one more connection traced call by call (strace -f -tt, epoll_ctl and friends with their
# arguments) into DIR/one-conn.txt, to tell which code path made which epoll_ctl.
# strace slows the traced process a lot: the counts are meaningful, the timings are not.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
netbench="$here/netbench.py"
ZEROPROXY_CMD="${ZEROPROXY_CMD:-./zeroproxy}"
BASE_PORT="${BASE_PORT:-31200}"
variant=zp-epoll-auto
warmup=5000
conns=2000
out="/tmp/zeroproxy-syscalls-$(date +%Y%m%d-%H%M%S)"

while (($#)); do
  case "$1" in
    --variant) variant="$2"; shift ;;
    --warmup) warmup="$2"; shift ;;
    --conns) conns="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
lp=$BASE_PORT
ep=$((BASE_PORT + 1))

pids=()
cleanup() {
  local p
  for p in ${pids[@]+"${pids[@]}"}; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in ${pids[@]+"${pids[@]}"}; do kill -KILL "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

wait_port() {
  local i
  for ((i = 0; i < 300; i++)); do
    ss -Hltn "sport = :$1" | grep -q . && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1 after 30 s" >&2
  return 1
}

python3 "$netbench" echo-server 127.0.0.1 "$ep" >"$out/echo.log" 2>&1 &
pids+=($!)
wait_port "$ep"

case "$variant" in
  zp-*)
    IFS=- read -r _ t m <<<"$variant"
    # shellcheck disable=SC2086
    (cd "$root" && exec $ZEROPROXY_CMD forward --listen "127.0.0.1:$lp" --upstream "127.0.0.1:$ep" \
      --transport "$t" --mode "$m" --drain-timeout 1s) >"$out/proxy.log" 2>&1 &
    ;;
  nginx)
    cat >"$out/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 2;
pid $out/nginx.pid;
error_log $out/error.log warn;
events { worker_connections 8000; }
stream { server { listen 127.0.0.1:$lp; proxy_pass 127.0.0.1:$ep; } }
EOF
    nginx -p "$out" -c "$out/nginx.conf" -g 'daemon off;' >"$out/proxy.log" 2>&1 &
    ;;
  haproxy)
    printf '%s\n' global "  nbthread 2" defaults "  mode tcp" "  timeout connect 5s" \
      "  timeout client 60s" "  timeout server 60s" frontend\ fe "  bind 127.0.0.1:$lp" \
      "  default_backend be" backend\ be "  server s1 127.0.0.1:$ep" >"$out/haproxy.cfg"
    haproxy -f "$out/haproxy.cfg" -db >"$out/proxy.log" 2>&1 &
    ;;
  *) echo "unknown variant $variant" >&2; exit 2 ;;
esac
proxy=$!
pids+=("$proxy")
wait_port "$lp"
sleep 0.5

# Every process of the proxy: nginx's workers are children of its master; the JVM and
# HAProxy are one process each (strace -f -p attaches all of a process's threads).
targets=("$proxy")
for c in $(pgrep -P "$proxy" || true); do targets+=("$c"); done
sargs=()
for p in "${targets[@]}"; do sargs+=(-p "$p"); done

timeout 300 python3 "$netbench" connrate 127.0.0.1 "$lp" "$warmup" 120 >"$out/warmup.json"

# strace_during FILE ARGS... CMD...: strace the proxy while CMD runs, then detach (SIGINT).
strace_during() {
  local file="$1" spid
  shift
  local -a sa=()
  while [[ "$1" != -- ]]; do sa+=("$1"); shift; done
  shift
  strace "${sa[@]}" -o "$file" "${sargs[@]}" 2>"$file.err" &
  spid=$!
  sleep 1  # strace needs a moment to attach every thread
  "$@" || true
  sleep 0.5
  kill -INT "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
}

strace_during "$out/counts.txt" -c -f -- \
  timeout 300 python3 "$netbench" connrate 127.0.0.1 "$lp" "$conns" 120 >"$out/run.json"
n="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["n"])' "$out/run.json")"
echo "$variant: system calls per connection over $n connections (after $warmup unmeasured)"
awk -v n="$n" '$1 ~ /^[0-9.]+$/ && NF >= 5 {name = $NF; calls = $4; if (NF == 6) errs = $5; else errs = 0;
  printf "%-16s %7.2f per conn%s\n", name, calls / n, errs ? sprintf("  (%.2f failing)", errs / n) : ""}' \
  "$out/counts.txt" | sort -k2 -nr

strace_during "$out/one-conn.txt" -f -tt -e trace=epoll_ctl,accept,accept4,connect,shutdown,close,setsockopt,getsockopt,getsockname,write,read,eventfd2 -- \
  timeout 30 python3 "$netbench" connrate 127.0.0.1 "$lp" 1 10 >/dev/null
echo "one connection, call by call: $out/one-conn.txt ($(grep -c epoll_ctl "$out/one-conn.txt") epoll_ctl)"
