#!/usr/bin/env bash
# The key-value tier's figures (docs/benchmarks.md, "Key-value tier"): each measurement tool runs RUNS
# times in turn (interleaved, so a neighbour's load spike does not hit one figure only), the machine load
# is printed before every run, and the last table holds the median of every RESULT field over the runs.
# Every tool starts its own redis-server processes on free loopback ports and stops them.
#
#   ./mvnw -B -q -o package -pl loadtest -am -DskipTests && loadtest/scripts/kv-figures.sh [what...]
#
# what: invalidation, zipf, atomics, jmh (default: all four). Knobs (environment):
#   RUNS=3  INVALIDATION_SAMPLES=5000  ATOMIC_SAMPLES=20000
#   ZIPF_ARGS="1000000 100000 0.99 2000000 4000000"   (keys, near-cache entries, exponent, warm-up, reads)
#   JMH_ARGS="-f 1 -wi 3 -w 2s -i 5 -r 2s"
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=loadtest/target/benchmarks.jar
[ -f "$JAR" ] || { echo "build it first: ./mvnw -B -q -o package -pl loadtest -am -DskipTests" >&2; exit 1; }
RUNS=${RUNS:-3}
INVALIDATION_SAMPLES=${INVALIDATION_SAMPLES:-5000}
ATOMIC_SAMPLES=${ATOMIC_SAMPLES:-20000}
ZIPF_ARGS=${ZIPF_ARGS:-"1000000 100000 0.99 2000000 4000000"}
JMH_ARGS=${JMH_ARGS:-"-f 1 -wi 3 -w 2s -i 5 -r 2s"}
JAVA_OPTS=${JAVA_OPTS:-"-Xms1g -Xmx1g"}
what=("$@"); [ ${#what[@]} -gt 0 ] || what=(invalidation zipf atomics jmh)
results=$(mktemp); trap 'rm -f "$results"' EXIT

load() { echo "## $(date -u +%FT%TZ) $1 run $2/$RUNS: loadavg $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"; }
tool() { # class args...
  local class=$1; shift
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp "$JAR" "dev.edge.loadtest.kv.$class" "$@" 2>&1 | grep -v ' DEBUG ' | tee -a "$results"
}

for run in $(seq 1 "$RUNS"); do
  for w in "${what[@]}"; do
    load "$w" "$run"
    case "$w" in
      invalidation) tool InvalidationLatencyTool "$INVALIDATION_SAMPLES" ;;
      # shellcheck disable=SC2086
      zipf)         tool ZipfHitRatioTool $ZIPF_ARGS ;;
      atomics)      tool AtomicLatencyTool "$ATOMIC_SAMPLES" ;;
      # JMH: its own score line per benchmark, recorded as RESULT lines for the medians below.
      # shellcheck disable=SC2086
      jmh)          java -jar "$JAR" NearCacheHitBenchmark $JMH_ARGS 2>&1 | grep -v ' DEBUG ' \
                      | tee /dev/stderr | awk '/^NearCacheHitBenchmark\./ { print "RESULT jmh." $1 "." $2 " ns_op=" $5 }' \
                      | tee -a "$results" ;;
      *) echo "unknown: $w (invalidation, zipf, atomics, jmh)" >&2; exit 2 ;;
    esac
  done
done

echo
echo "## medians over $RUNS runs ($(date -u +%FT%TZ), loadavg now $(cut -d' ' -f1-3 /proc/loadavg))"
grep '^RESULT ' "$results" | awk '
  { for (i = 3; i <= NF; i++) { split($i, kv, "="); key = $2 " " kv[1]; vals[key] = vals[key] " " kv[2]; order[key] = NR * 100 + i } }
  END {
    for (key in vals) {
      n = split(substr(vals[key], 2), v, " ")
      # insertion sort, then the median
      for (i = 2; i <= n; i++) { x = v[i] + 0; j = i - 1; while (j > 0 && v[j] + 0 > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
      median = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      printf "%-62s %12s   (runs: %s)\n", key, median, substr(vals[key], 2)
    }
  }' | sort
