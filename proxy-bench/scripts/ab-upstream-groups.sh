#!/usr/bin/env bash
# Interleaved A/B of two values of ConnectionSetupBenchmark's `upstream` parameter (default:
# single against group3) on one ZeroProxy path: ROUNDS rounds, each one JMH fork of A and one of
# B, the order alternating per round (A B, B A, A B, ...), so that a shared machine's drift, and
# the TIME_WAIT sockets each fork leaves behind for the next one, fall on both alike. Prints each
# round's proxy CPU per connection (proxyCpuUsPerConn, µs) and the B/A ratio, then their medians.
#
#   proxy-bench/scripts/ab-upstream-groups.sh
#   env: JAR (proxy-bench/target/benchmarks.jar), A (single), B (group3), PATH_PARAM (epoll-auto),
#        ROUNDS (6), OUT (a new temp dir), JMH_ARGS ("-wi 8 -w 2s -i 5 -r 2s")
#
# About 30 s per fork. Everything on 127.0.0.1; each fork is bounded by a timeout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
JAR="${JAR:-$here/../target/benchmarks.jar}"
A="${A:-single}"; B="${B:-group3}"; PATH_PARAM="${PATH_PARAM:-epoll-auto}"; ROUNDS="${ROUNDS:-6}"
JMH_ARGS="${JMH_ARGS:--wi 8 -w 2s -i 5 -r 2s}"
OUT="${OUT:-$(mktemp -d /tmp/ab-upstream-groups.XXXXXX)}"
mkdir -p "$OUT"
[ -f "$JAR" ] || { echo "no $JAR: build with mvn -o -q -pl proxy-bench -am package -DskipTests" >&2; exit 1; }

for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order="$A $B"; else order="$B $A"; fi
  for u in $order; do
    # shellcheck disable=SC2086  # JMH_ARGS is a list of arguments
    timeout 300 java -jar "$JAR" ConnectionSetupBenchmark -p path="$PATH_PARAM" -p upstream="$u" -f 1 $JMH_ARGS \
      -rf json -rff "$OUT/r$r-$u.json" > "$OUT/r$r-$u.txt" 2>&1
  done
done

python3 - "$OUT" "$A" "$B" "$ROUNDS" <<'PY'
import json, statistics as st, sys
out, a, b, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def cpu(r, u):
    result = json.load(open(f"{out}/r{r}-{u}.json"))[0]
    return result["secondaryMetrics"]["proxyCpuUsPerConn"]["score"], result["primaryMetric"]["score"]
xs, ys, ratios = [], [], []
for r in range(1, rounds + 1):
    (x, tx), (y, ty) = cpu(r, a), cpu(r, b)
    xs.append(x); ys.append(y); ratios.append(y / x)
    print(f"round {r}: {a} {x:6.1f} µs/conn ({tx:5.0f} conn/s)  {b} {y:6.1f} µs/conn ({ty:5.0f} conn/s)  {b}/{a} {y / x:.3f}")
print(f"medians: {a} {st.median(xs):.1f} µs  {b} {st.median(ys):.1f} µs  ratio of medians {st.median(ys) / st.median(xs):.3f}"
      f"  median of round ratios {st.median(ratios):.3f}  ({out})")
PY
