#!/usr/bin/env bash
# Steady state against warm-up: one edge node running the tutorial's JavaScript component on the Redis tier,
# under wrk for MINUTES, measured in WINDOW-second windows. Each window prints requests/s, the JVM's CPU µs per
# request (all threads), the same without the JIT compiler threads (C1/C2), the JIT's own share, the number of
# methods compiled so far (sun.ci.totalCompiles) and the code cache's use, so warm-up and steady state can be
# told apart. JAVA_OPTS tries JVM flags (e.g. -XX:TieredStopAtLevel=1).
#   ./mvnw -B -q -pl gateway -am package -DskipTests
#   PORT_BASE=4700 CACHE=<warm compile-cache dir> MINUTES=5 loadtest/scripts/js-steady-state.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${MINUTES:-5} WINDOW=${WINDOW:-30} CONNS=${CONNS:-4} PORT_BASE=${PORT_BASE:-4700}
CACHE=${CACHE:-gateway/target/shared-compile-cache} JAR=${JAR:-gateway/target/edge.jar}
# -DontCompileHugeMethods as in the Dockerfile and docs/deploy.md: the engine's huge generated methods get JIT-compiled.
JAVA_OPTS=${JAVA_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC -XX:-DontCompileHugeMethods"}
REDIS_PORT=$PORT_BASE JS_PORT=$((PORT_BASE + 1))
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
. loadtest/scripts/redis-lib.sh
# command_timeout is also the connect timeout: a loaded machine can take over 2 s.
redis_runtime_config "$work/redis.toml" "$REDIS_PORT" 'command_timeout = "10s"'
start_redis "$REDIS_PORT"
mkdir -p "$work/state/compile-cache"
[ -d "$CACHE" ] && cp "$CACHE"/* "$work/state/compile-cache/" 2>/dev/null || true
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" up --from examples/hello-key-value-store-js/spin.toml \
  --listen "127.0.0.1:$JS_PORT" --state-dir "$work/state" --runtime-config-file "$work/redis.toml" > "$work/js.log" 2>&1 &
pid=$!; pids+=($pid)
for _ in $(seq 1 3000); do
  curl -s -o /dev/null "http://127.0.0.1:$JS_PORT/.well-known/spin/health" && break
  kill -0 "$pid" 2>/dev/null || { echo "edge exited:" >&2; tail -n 5 "$work/js.log" >&2; exit 1; }
  sleep 0.1
done
curl -sf -X POST -H 'content-type: application/json' -d '{"firstName": "River", "lastName": "Scott"}' \
  "http://127.0.0.1:$JS_PORT/set/rs" > /dev/null
tck=$(getconf CLK_TCK)
cpu() { # all threads, and the JIT compiler threads alone (clock ticks)
  local all jit=0 t
  all=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  for t in /proc/$pid/task/*; do
    grep -q 'CompilerThre' "$t/comm" 2>/dev/null && jit=$(( jit + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0) ))
  done
  echo "$all $jit"
}
compiles() { jcmd "$pid" PerfCounter.print 2>/dev/null | awk -F= '/sun.ci.totalCompiles=/ {print $2}'; }
codecache() { jcmd "$pid" Compiler.codecache 2>/dev/null | awk '/^CodeHeap|^CodeCache/ {name=$2} /size=/ {for (i=1;i<=NF;i++) if ($i ~ /^used=/) {sub("used=","",$i); u+=$i}} END {print u}'; }
echo "# $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/') JAVA_OPTS=$JAVA_OPTS"
echo "# minute req/s cpu_us/req cpu_us/req_without_jit jit_share compiled_methods codecache_used"
windows=$(( MINUTES * 60 / WINDOW ))
for w in $(seq 1 "$windows"); do
  read -r a0 j0 < <(cpu)
  out=$(wrk -t1 -c"$CONNS" -d"${WINDOW}s" "http://127.0.0.1:$JS_PORT/get/rs")
  read -r a1 j1 < <(cpu)
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  awk -v w="$w" -v s="$WINDOW" -v r="$reqs" -v a=$((a1 - a0)) -v j=$((j1 - j0)) -v t="$tck" -v c="$(compiles)" -v k="$(codecache)" \
    'BEGIN { printf "%.1f %.1f %.0f %.0f %.0f%% %s %s\n", w * s / 60, r / s, a / t / r * 1e6, (a - j) / t / r * 1e6, 100 * j / (a > 0 ? a : 1), c, k }'
done
echo "# $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/')"
grep -i "CodeCache is full\|compiler has been disabled" "$work/js.log" || echo "# no 'CodeCache is full' in the log"
jcmd "$pid" Compiler.codecache 2>/dev/null | head -20 || true
