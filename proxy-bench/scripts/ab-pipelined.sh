#!/usr/bin/env bash
# Interleaved A/B of two forwarder builds on the pipelined small-message workload only: both up at
# once (epoll, --mode auto unless MODE says otherwise) in front of one python echo server; one
# unmeasured run each, then ROUNDS rounds of REQS requests (50 connections, 32-byte requests, 16 in
# flight) through each, the order alternating per round. Per run: the proxy process's CPU (utime +
# stime from /proc) per request, and requests/s. A run is about a second, so many rounds are cheap,
# and the per-round ratio cancels most of a shared machine's drift.
#
#   A_CMD="java -jar /tmp/a.jar" B_CMD="java -jar /tmp/b.jar" proxy-bench/scripts/ab-pipelined.sh
#   env: ROUNDS (20), REQS (1000000), MODE (auto), BASE_PORT (27000; uses BASE_PORT+1..+3)
#
# Everything on 127.0.0.1; the processes started here are stopped by their PIDs on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
nb="$here/netbench.py"
: "${A_CMD:?set A_CMD, e.g. A_CMD=\"java -jar /tmp/a.jar\"}" "${B_CMD:?set B_CMD}"
ROUNDS="${ROUNDS:-20}"; REQS="${REQS:-1000000}"; MODE="${MODE:-auto}"; base="${BASE_PORT:-27000}"
pids=()
trap 'for p in ${pids[@]+"${pids[@]}"}; do kill "$p" 2>/dev/null || true; done' EXIT

python3 "$nb" echo-server 127.0.0.1 $((base + 1)) >/dev/null 2>&1 &
pids+=($!)
# shellcheck disable=SC2086  # A_CMD / B_CMD are commands with arguments
$A_CMD forward --listen 127.0.0.1:$((base + 2)) --upstream 127.0.0.1:$((base + 1)) --transport epoll \
  --mode "$MODE" --drain-timeout 1s >/dev/null 2>&1 &
a=$!; pids+=($a)
# shellcheck disable=SC2086
$B_CMD forward --listen 127.0.0.1:$((base + 3)) --upstream 127.0.0.1:$((base + 1)) --transport epoll \
  --mode "$MODE" --drain-timeout 1s >/dev/null 2>&1 &
b=$!; pids+=($b)
for p in 1 2 3; do
  for ((i = 0; i < 150; i++)); do ss -Hltn "sport = :$((base + p))" | grep -q . && break; sleep 0.2; done
done

# run PID PORT -> "cpu_us_per_req req_per_s"
run() {
  local c0 c1 j
  c0="$(python3 "$nb" tree-cpu "$1")"
  j="$(timeout 120 python3 "$nb" pipelined 127.0.0.1 "$2" 50 16 32 "$REQS" 60)"
  sleep 0.3
  c1="$(python3 "$nb" tree-cpu "$1")"
  python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print("%.3f %.0f" % ((float(sys.argv[3]) - float(sys.argv[2])) * 1e6 / j["n"], j["per_s"]))' "$j" "$c0" "$c1"
}

run "$a" $((base + 2)) >/dev/null
run "$b" $((base + 3)) >/dev/null
echo -e "round\tA_us_per_req\tB_us_per_req\tB/A\tA_req_per_s\tB_req_per_s"
ratios=()
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then
    read -r au as < <(run "$a" $((base + 2))); read -r bu bs < <(run "$b" $((base + 3)))
  else
    read -r bu bs < <(run "$b" $((base + 3))); read -r au as < <(run "$a" $((base + 2)))
  fi
  ratio="$(awk -v x="$bu" -v y="$au" 'BEGIN {printf "%.3f", x / y}')"
  ratios+=("$ratio")
  echo -e "$r\t$au\t$bu\t$ratio\t$as\t$bs"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "median B/A of %d rounds: %.3f (min %.3f, max %.3f)\n", NR, m, v[1], v[NR]}'
