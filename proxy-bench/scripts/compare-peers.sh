#!/usr/bin/env bash
# Side-by-side loopback comparison of ZeroProxy against its peers (HAProxy, nginx stream, socat)
# and against no proxy at all. One run measures every variant:
#
#   throughput   iperf3, 1 and 4 streams, client->server and server->client (-R), Gbit/s
#   CPU per GB   proxy process tree CPU seconds while iperf3 moves a fixed byte count (1 stream),
#                and the whole machine's busy CPU seconds over the same transfer (iperf3 included)
#   latency      64-byte ping-pong over one connection, p50/p99 in us, + proxy CPU per round trip
#   conn rate    connect, 1 byte each way, close; conn/s, + proxy CPU per connection
#   pipelined    PIPE_CONNS connections (50), PIPE_SIZE-byte requests echoed back (32 B), PIPE_DEPTH
#                in flight per connection (16), then again with 1 in flight; req/s, + proxy CPU
#                per request; every reply checked byte for byte
#
# Each figure is the median of RUNS runs, after one (shorter) warm-up run that every variant
# gets alike: the JVM needs it, and the others get the same so nobody is singled out. The
# small-message workloads (latency, conn rate, pipelined) run interleaved: one proxy per
# variant stays up, and each run round goes through every variant before the next round, so a
# noisy neighbour hits all variants alike and per-round ratios compare like with like.
#
#   proxy-bench/scripts/compare-peers.sh [--quick] [--small] [--runs N] [--out DIR] [--chart-dir DIR]
#   ZEROPROXY_CMD="java -jar /tmp/zp.jar" proxy-bench/scripts/compare-peers.sh
#   ZEROPROXY_ARGS="--splice-threshold 1g": extra options for every zp-* forwarder (a lever's A/B)
#   ZEROPROXY_CMD_before="java -jar /tmp/old.jar" ... --variants zp-epoll-auto@before,zp-epoll-auto:
#            a zp-* variant named VARIANT@TAG runs $ZEROPROXY_CMD_TAG instead of ZEROPROXY_CMD,
#            so two builds are compared in one interleaved run (a code change's A/B)
#   --small: only the small-message workloads, for zp-epoll-auto, nginx and haproxy (unless
#            --variants says otherwise), 5 runs; no iperf3 phase, no chart
#
# Everything runs on 127.0.0.1, in the foreground of this script, with config files in a temp
# dir; every process started here is recorded and stopped by its PID on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
netbench="$here/netbench.py"

ZEROPROXY_CMD="${ZEROPROXY_CMD:-./zeroproxy}"
ZEROPROXY_ARGS="${ZEROPROXY_ARGS:-}"
BASE_PORT="${BASE_PORT:-25000}"
out_dir="/tmp/zeroproxy-peers-$(date +%Y%m%d-%H%M%S)"
chart_dir="$root/docs"
quick=0
small=0
runs_opt=""
PIPE_CONNS=50
PIPE_DEPTH=16
PIPE_SIZE=32

VARIANTS="direct,zp-nio-copy,zp-epoll-copy,zp-epoll-splice,zp-epoll-auto,haproxy,haproxy-splice,nginx,socat"

usage() {
  sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

parse_args() {
  while (($#)); do
    case "$1" in
      --quick) quick=1 ;;
      --out) out_dir="$2"; shift ;;
      --chart-dir) chart_dir="$2"; shift ;;
      --variants) VARIANTS="$2"; variants_set=1; shift ;;
      --small) small=1 ;;
      --runs) runs_opt="$2"; shift ;;
      --pipe-conns) PIPE_CONNS="$2"; shift ;;
      --pipe-depth) PIPE_DEPTH="$2"; shift ;;
      --pipe-size) PIPE_SIZE="$2"; shift ;;
      -h|--help) usage 0 ;;
      *) echo "unknown option: $1" >&2; usage 2 ;;
    esac
    shift
  done
  # Sizes: the full run is meant to finish in ~20 minutes on a 2-core machine.
  # PIPE_REQS / PIPE1_REQS: requests per pipelined run at PIPE_DEPTH and at 1 in flight.
  # nginx spends well under 1 us per pipelined request: a run needs ~10^6 of them for its CPU to
  # span enough 10 ms clock ticks.
  if ((quick)); then
    RUNS=1; DURATION=2; BULK=512M; RTTS=5000; CONNS=1000; PIPE_REQS=200000; PIPE1_REQS=50000
    W_DURATION=1; W_BULK=256M; W_RTTS=2000; W_CONNS=300; W_PIPE_REQS=50000; W_PIPE1_REQS=20000
  else
    RUNS=3; DURATION=5; BULK=2G; RTTS=20000; CONNS=5000; PIPE_REQS=1000000; PIPE1_REQS=200000
    W_DURATION=2; W_BULK=512M; W_RTTS=5000; W_CONNS=1000; W_PIPE_REQS=200000; W_PIPE1_REQS=50000
  fi
  if ((small)); then
    # Without the iperf3 phase there is time for a warm-up as long as a measured run (three for
    # connections: the JVM's per-connection cost kept falling through the first ~20 000), so
    # that the JIT has settled before run 1; every peer gets the same.
    RUNS=5
    W_RTTS=$RTTS; W_CONNS=$((3 * CONNS)); W_PIPE_REQS=$PIPE_REQS; W_PIPE1_REQS=$PIPE1_REQS
    ((${variants_set:-0})) || VARIANTS="zp-epoll-auto,nginx,haproxy"
  fi
  [[ -z "$runs_opt" ]] || RUNS="$runs_opt"
}

# ---------------------------------------------------------------- process bookkeeping

pids=()
work=""

cleanup() {
  local p
  for p in ${pids[@]+"${pids[@]}"}; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in ${pids[@]+"${pids[@]}"}; do
    wait_gone "$p" 50 || kill -KILL "$p" 2>/dev/null || true
  done
  [[ -n "$work" ]] && rm -rf "$work"
}

# wait_gone PID TENTHS: true once PID has exited (bounded wait).
wait_gone() {
  local i
  for ((i = 0; i < $2; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# stop PID: SIGTERM, up to 10 s to exit, then SIGKILL. Only PIDs this script started.
stop() {
  local p="$1"
  kill -TERM "$p" 2>/dev/null || true
  wait_gone "$p" 100 || kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  local keep=() q
  for q in ${pids[@]+"${pids[@]}"}; do [[ "$q" == "$p" ]] || keep+=("$q"); done
  pids=(${keep[@]+"${keep[@]}"})
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (bounded: 30 s).
wait_port() {
  local i
  for ((i = 0; i < 300; i++)); do
    ss -Hltn "sport = :$1" | grep -q . && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1 after 30 s" >&2
  return 1
}

# ---------------------------------------------------------------- tools

# Installs the peers when missing (Debian, as root). Services are never started by us; apt's
# postinst may start them, so any system nginx/haproxy found running afterwards is stopped.
ensure_tools() {
  local need=()
  command -v haproxy >/dev/null || need+=(haproxy)
  command -v nginx >/dev/null || need+=(nginx-light)
  [[ -e /usr/lib/nginx/modules/ngx_stream_module.so ]] || need+=(libnginx-mod-stream)
  command -v socat >/dev/null || need+=(socat)
  command -v iperf3 >/dev/null || need+=(iperf3)
  command -v gnuplot >/dev/null || need+=(gnuplot-nox)
  ((${#need[@]})) || return 0
  echo "installing: ${need[*]}" >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
  local svc
  for svc in nginx haproxy; do
    if pgrep -x "$svc" >/dev/null; then
      echo "note: apt's postinst started a system $svc; stopping that service" >&2
      systemctl stop "$svc" 2>/dev/null || service "$svc" stop 2>/dev/null || true
    fi
  done
}

print_versions() {
  {
    echo "kernel: $(uname -sr)"
    echo "cpu: $(nproc) x $(lscpu | sed -n 's/^Model name: *//p')"
    echo "haproxy: $(haproxy -v | head -1)"
    echo "nginx: $(nginx -v 2>&1)"
    echo "socat: $(socat -V | sed -n 's/^socat version //p' | head -1)"
    echo "iperf3: $(iperf3 -v | head -1)"
    echo "python3: $(python3 --version 2>&1)"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "zeroproxy: $ZEROPROXY_CMD forward ... $ZEROPROXY_ARGS"
    local tagged
    for tagged in $(compgen -v ZEROPROXY_CMD_ || true); do echo "zeroproxy @${tagged#ZEROPROXY_CMD_}: ${!tagged}"; done
  } | tee "$out_dir/versions.txt"
}

# ---------------------------------------------------------------- upstreams and proxies

IPERF_PORT=$((BASE_PORT + 1))
ECHO_PORT=$((BASE_PORT + 2))

start_upstreams() {
  iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" >"$work/iperf3-server.log" 2>&1 &
  pids+=($!)
  python3 "$netbench" echo-server 127.0.0.1 "$ECHO_PORT" >"$work/echo.log" 2>&1 &
  pids+=($!)
  wait_port "$IPERF_PORT"
  wait_port "$ECHO_PORT"
}

# start_proxy VARIANT LISTEN_PORT UPSTREAM_PORT: starts it in the foreground (background job of
# this script), waits until it listens, sets proxy_pid.
start_proxy() {
  local v="$1" lp="$2" up="$3" d="$work/$1-$2"
  mkdir -p "$d"
  case "$v" in
    zp-*)
      local t m cmd="$ZEROPROXY_CMD"
      if [[ "$v" == *@* ]]; then
        local cmd_var="ZEROPROXY_CMD_${v#*@}"
        cmd="${!cmd_var:-}"
        if [[ -z "$cmd" ]]; then echo "variant $v: $cmd_var is not set" >&2; return 1; fi
      fi
      IFS=- read -r _ t m <<<"${v%%@*}"
      # Word splitting of ZEROPROXY_CMD is wanted ("java -jar x.jar"); the job's PID is the
      # JVM itself (./zeroproxy execs java), whose /proc stat covers all its threads.
      # ZEROPROXY_ARGS is split into words too: it holds options.
      # shellcheck disable=SC2086
      (cd "$root" && exec $cmd forward --listen "127.0.0.1:$lp" --upstream "127.0.0.1:$up" \
        --transport "$t" --mode "$m" --drain-timeout 1s $ZEROPROXY_ARGS) >"$d/out.log" 2>&1 &
      ;;
    haproxy|haproxy-splice)
      {
        echo "global"
        echo "  maxconn 5000"  # fds for conns + splice pipes must fit under the fd limit (20000 here)
        echo "  nbthread 2"
        echo "defaults"
        echo "  mode tcp"
        echo "  timeout connect 5s"
        echo "  timeout client 60s"
        echo "  timeout server 60s"
        if [[ "$v" == haproxy-splice ]]; then
          echo "  option splice-request"
          echo "  option splice-response"
        fi
        echo "frontend fe"
        echo "  bind 127.0.0.1:$lp"
        echo "  default_backend be"
        echo "backend be"
        echo "  server s1 127.0.0.1:$up"
      } >"$d/haproxy.cfg"
      haproxy -f "$d/haproxy.cfg" -db >"$d/out.log" 2>&1 &
      ;;
    nginx)
      cat >"$d/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 2;
worker_rlimit_nofile 20000;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 8000; }
stream {
  server { listen 127.0.0.1:$lp; proxy_pass 127.0.0.1:$up; }
}
EOF
      nginx -p "$d" -c "$d/nginx.conf" -g 'daemon off;' >"$d/out.log" 2>&1 &
      ;;
    socat)
      socat "TCP-LISTEN:$lp,bind=127.0.0.1,fork,reuseaddr" "TCP:127.0.0.1:$up" >"$d/out.log" 2>&1 &
      ;;
    *) echo "unknown variant $v" >&2; return 1 ;;
  esac
  proxy_pid=$!
  pids+=("$proxy_pid")
  if ! wait_port "$lp"; then cat "$d/out.log" >&2; return 1; fi
  if [[ "$v" == zp-* ]] && ! grep -q "zeroproxy forwarding" "$d/out.log"; then
    sleep 0.5  # the ready line follows the bind closely
  fi
  grep -m1 "zeroproxy forwarding" "$d/out.log" >&2 || true
}

# ---------------------------------------------------------------- measurements

# record VARIANT RUN METRIC VALUE
record() { printf '%s\t%s\t%s\t%s\n' "$@" >>"$out_dir/raw.tsv"; }

# machine_cpu: busy CPU seconds of the whole machine since boot, all cores (user, nice, system,
# irq and softirq of /proc/stat; idle, iowait and steal left out). Unlike the proxy's tree it
# also counts kernel work billed to no proxy process: softirq threads, and loopback receive
# processing run in the receiving process's context. Read by awk, not python, so that taking
# the sample costs next to nothing.
machine_cpu() { awk -v t="$(getconf CLK_TCK)" '/^cpu / {printf "%.3f\n", ($2 + $3 + $4 + $7 + $8) / t; exit}' /proc/stat; }

cpu_now() { if [[ -n "${proxy_pid:-}" ]]; then python3 "$netbench" tree-cpu "$proxy_pid"; else echo 0; fi; }

# iperf PORT ARGS... -> "Gbit/s bytes" (receiver side), or "NA NA" if the client failed.
iperf() {
  local port="$1" j="$work/iperf.json"
  shift
  if timeout 120 iperf3 -c 127.0.0.1 -p "$port" -J "$@" >"$j" 2>/dev/null &&
     python3 "$netbench" iperf-rate "$j" 2>/dev/null; then
    return 0
  fi
  echo "iperf3 $* via port $port failed: $(head -c 300 "$j")" >&2
  echo "NA NA"
}

# bulk_run VARIANT RUN PORT DURATION BULK
bulk_run() {
  local v="$1" run="$2" port="$3" dur="$4" bulk="$5" r b c0 c1
  read -r r _ < <(iperf "$port" -t "$dur" -P 1);    record "$v" "$run" tp1_up "$r"
  read -r r _ < <(iperf "$port" -t "$dur" -P 1 -R); record "$v" "$run" tp1_down "$r"
  read -r r _ < <(iperf "$port" -t "$dur" -P 4);    record "$v" "$run" tp4_up "$r"
  read -r r _ < <(iperf "$port" -t "$dur" -P 4 -R); record "$v" "$run" tp4_down "$r"
  sleep 0.3  # let socat's per-connection children exit and be reaped before sampling
  local m0 m1
  c0="$(cpu_now)"; m0="$(machine_cpu)"
  read -r r b < <(iperf "$port" -n "$bulk" -P 1)
  sleep 0.3
  m1="$(machine_cpu)"; c1="$(cpu_now)"
  record "$v" "$run" bulk_gbps "$r"
  if [[ "$b" != NA ]]; then
    # Direct's figure is iperf3's own cost: a proxy's machine CPU/GB minus it is what the proxy
    # added, wherever the kernel billed it.
    record "$v" "$run" machine_cpu_s_per_gb "$(awk -v a="$m0" -v z="$m1" -v b="$b" 'BEGIN{printf "%.4f", (z-a)/(b/1e9)}')"
  fi
  if [[ "$v" != direct && "$b" != NA ]]; then
    record "$v" "$run" cpu_s_per_gb "$(awk -v a="$c0" -v z="$c1" -v b="$b" 'BEGIN{printf "%.4f", (z-a)/(b/1e9)}')"
  fi
  echo "  [$v run $run] bulk $r Gbit/s, cpu $(awk -v a="$c0" -v z="$c1" 'BEGIN{print z-a}') s" >&2
}

# echo_run VARIANT RUN PORT RTTS CONNS PIPE_REQS PIPE1_REQS
echo_run() {
  local v="$1" run="$2" port="$3" rtts="$4" conns="$5" j c0 c1 n
  c0="$(cpu_now)"
  j="$(timeout 120 python3 "$netbench" pingpong 127.0.0.1 "$port" "$rtts" 64 60 || echo '{}')"
  c1="$(cpu_now)"
  n="$(jget "$j" n)"
  record "$v" "$run" lat_p50_us "$(jget "$j" p50_us)"
  record "$v" "$run" lat_p99_us "$(jget "$j" p99_us)"
  if [[ "$v" != direct && "$n" != NA ]]; then record "$v" "$run" cpu_us_per_rtt "$(per_unit "$c0" "$c1" "$n")"; fi
  c0="$(cpu_now)"
  j="$(timeout 120 python3 "$netbench" connrate 127.0.0.1 "$port" "$conns" 60 || echo '{}')"
  sleep 0.3
  c1="$(cpu_now)"
  n="$(jget "$j" n)"
  record "$v" "$run" conn_per_s "$(jget "$j" per_s)"
  if [[ "$v" != direct && "$n" != NA ]]; then record "$v" "$run" cpu_us_per_conn "$(per_unit "$c0" "$c1" "$n")"; fi
  pipe_run "$v" "$run" "$port" "$PIPE_DEPTH" "$6" pipe
  pipe_run "$v" "$run" "$port" 1 "$7" pipe1
  echo "  [$v run $run] $(awk -F'\t' -v v="$v" -v r="$run" '$1 == v && $2 == r && $3 !~ /^(tp|bulk|cpu_s|machine)/ {printf "%s=%s ", $3, $4}' "$out_dir/raw.tsv")" >&2
}

# pipe_run VARIANT RUN PORT DEPTH REQS TAG: the pipelined client; records TAG_req_per_s and
# cpu_us_per_TAG_req. The proxy's CPU window also spans the client's PIPE_CONNS connects and
# closes (50 x ~0.3 ms against seconds of requests: under 1 %).
pipe_run() {
  local v="$1" run="$2" port="$3" depth="$4" reqs="$5" tag="$6" j c0 c1 n
  c0="$(cpu_now)"
  j="$(timeout 120 python3 "$netbench" pipelined 127.0.0.1 "$port" "$PIPE_CONNS" "$depth" "$PIPE_SIZE" "$reqs" 60 || echo '{}')"
  sleep 0.3
  c1="$(cpu_now)"
  n="$(jget "$j" n)"
  if [[ "$n" == NA ]]; then echo "  [$v run $run] pipelined depth $depth failed: $j" >&2; fi
  record "$v" "$run" "${tag}_req_per_s" "$(jget "$j" per_s)"
  if [[ "$v" != direct && "$n" != NA ]]; then record "$v" "$run" "cpu_us_per_${tag}_req" "$(per_unit "$c0" "$c1" "$n")"; fi
}

jget() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], "NA"))' "$1" "$2" 2>/dev/null || echo NA; }
per_unit() { awk -v a="$1" -v z="$2" -v n="$3" 'BEGIN{printf "%.2f", (z-a)*1e6/n}'; }

# measure_variant VARIANT INDEX: bulk phase against iperf3, with its own proxy instance (one
# listener, as every peer gets). The echo phase is measure_echo_all's.
measure_variant() {
  local v="$1" i="$2" lp run
  echo "== $v" >&2
  for phase in bulk; do
    proxy_pid=""
    if [[ "$v" == direct ]]; then
      [[ $phase == bulk ]] && lp=$IPERF_PORT || lp=$ECHO_PORT
    else
      lp=$((BASE_PORT + 10 + 2 * i))
      [[ $phase == bulk ]] || lp=$((lp + 1))
      local up=$ECHO_PORT
      [[ $phase == echo ]] || up=$IPERF_PORT
      if ! start_proxy "$v" "$lp" "$up"; then
        # A peer that cannot start is reported (NA in the table) but does not end the run.
        echo "  $v did not start; skipping it" >&2
        [[ -n "${proxy_pid:-}" ]] && stop "$proxy_pid"
        return 0
      fi
    fi
    if [[ $phase == bulk ]]; then
      bulk_run "$v" warmup "$lp" "$W_DURATION" "$W_BULK"
      for ((run = 1; run <= RUNS; run++)); do bulk_run "$v" "$run" "$lp" "$DURATION" "$BULK"; done
    else
      echo_run "$v" warmup "$lp" "$W_RTTS" "$W_CONNS"
      for ((run = 1; run <= RUNS; run++)); do echo_run "$v" "$run" "$lp" "$RTTS" "$CONNS"; done
    fi
    if [[ -n "$proxy_pid" ]]; then stop "$proxy_pid"; fi
  done
}

# measure_echo_all: one proxy per variant in front of the echo server, all up at once (an idle
# proxy costs nothing measurable); each gets its warm-up, then the runs go round-robin, the
# starting variant rotating per round so none is always first after a warm-up.
measure_echo_all() {
  local -A eport epid
  local v i=0 run k n
  local -a up=()
  for v in "${vlist[@]}"; do
    if [[ "$v" == direct ]]; then
      eport[$v]=$ECHO_PORT; epid[$v]=""; up+=("$v")
    else
      eport[$v]=$((BASE_PORT + 11 + 2 * i))
      proxy_pid=""
      if start_proxy "$v" "${eport[$v]}" "$ECHO_PORT"; then
        epid[$v]="$proxy_pid"; up+=("$v")
      else
        echo "  $v did not start; skipping it" >&2
        [[ -n "${proxy_pid:-}" ]] && stop "$proxy_pid"
      fi
    fi
    i=$((i + 1))
  done
  n=${#up[@]}
  ((n)) || return 0
  for v in "${up[@]}"; do
    proxy_pid="${epid[$v]}"
    echo_run "$v" warmup "${eport[$v]}" "$W_RTTS" "$W_CONNS" "$W_PIPE_REQS" "$W_PIPE1_REQS"
  done
  for ((run = 1; run <= RUNS; run++)); do
    echo "== echo round $run" >&2
    for ((k = 0; k < n; k++)); do
      v="${up[$(((run - 1 + k) % n))]}"
      proxy_pid="${epid[$v]}"
      echo_run "$v" "$run" "${eport[$v]}" "$RTTS" "$CONNS" "$PIPE_REQS" "$PIPE1_REQS"
    done
  done
  for v in "${up[@]}"; do [[ -z "${epid[$v]}" ]] || stop "${epid[$v]}"; done
  proxy_pid=""
}

# ---------------------------------------------------------------- output

chart() {
  local data="$out_dir/chart.dat"
  awk -F'\t' 'NR>1 {print $1, $2, $7, $8}' "$out_dir/results.tsv" >"$data"
  gnuplot <<EOF
set terminal pngcairo size 1100,700 font ",10"
set output "$out_dir/benchmarks.png"
set multiplot layout 2,1 title "ZeroProxy vs peers on loopback (2 shared cores; median of $RUNS)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.8
set grid ytics
set yrange [0:*]
set xtics rotate by -20 nomirror
set datafile missing "NA"
set ylabel "Gbit/s"
set title "iperf3 throughput, 1 stream, client -> server (higher is better)"
plot "$data" using 2:xtic(1) notitle lc rgb "#3b75af"
set ylabel "CPU s / GB"
set key top left
set title "CPU per GB moved, 1 stream (lower is better; direct has no proxy)"
plot "$data" using 3:xtic(1) title "proxy process tree" lc rgb "#c44e52", \\
     "" using 4 title "whole machine, iperf3 included" lc rgb "#8c8c8c"
unset multiplot
EOF
  mkdir -p "$chart_dir"
  if [[ "$(cd "$chart_dir" && pwd -P)" != "$(cd "$out_dir" && pwd -P)" ]]; then
    cp "$out_dir/benchmarks.png" "$chart_dir/benchmarks.png"
  fi
}

main() {
  parse_args "$@"
  local t0=$SECONDS
  mkdir -p "$out_dir"
  work="$(mktemp -d /tmp/compare-peers.XXXXXX)"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  ensure_tools
  print_versions
  printf 'variant\trun\tmetric\tvalue\n' >"$out_dir/raw.tsv"
  local tagged_cmds="" tagged
  for tagged in $(compgen -v ZEROPROXY_CMD_ || true); do tagged_cmds+="$tagged='${!tagged}' "; done
  echo "command: BASE_PORT=$BASE_PORT ${tagged_cmds}ZEROPROXY_CMD='$ZEROPROXY_CMD' ZEROPROXY_ARGS='$ZEROPROXY_ARGS' $0 $*" >"$out_dir/command.txt"
  start_upstreams
  local i=0 v
  IFS=, read -r -a vlist <<<"$VARIANTS"
  if ((!small)); then
    for v in "${vlist[@]}"; do
      measure_variant "$v" "$i"
      i=$((i + 1))
    done
  fi
  measure_echo_all
  python3 "$netbench" summarize "$out_dir/raw.tsv" "$VARIANTS" >"$out_dir/results.tsv"
  python3 "$netbench" ratios "$out_dir/raw.tsv" "$VARIANTS" >"$out_dir/ratios.tsv"
  ((small)) || chart
  column -t -s $'\t' "$out_dir/results.tsv"
  echo
  column -t -s $'\t' "$out_dir/ratios.tsv"
  echo "results: $out_dir/results.tsv (raw: raw.tsv), chart: $chart_dir/benchmarks.png, $((SECONDS - t0)) s" >&2
}

main "$@"
