#!/usr/bin/env bash
# The tutorial's GET /get/rs on the Redis tier through three servers in one run: edge running the tutorial's
# JavaScript component (examples/hello-key-value-store-js), edge running the C example, and webdis in front of
# the same Redis. Each is measured RUNS times in turn (interleaved, to spread machine noise); the table reports
# medians of requests/s and server CPU µs per request (loadtest/scripts/cpu-per-request.sh) and ratios.
# The JS node's compile cache is seeded from CACHE (default: the one JsTutorialGatewayTest fills) so its start
# does not compile the engine module; without one the first start compiles it (minutes on a loaded machine).
#   ./mvnw -B -q -pl gateway -am package -DskipTests && loadtest/scripts/bench-js-component.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3} SECONDS_PER_RUN=${SECONDS_PER_RUN:-10} CONNS=${CONNS:-4}
CACHE=${CACHE:-gateway/target/shared-compile-cache}
# -DontCompileHugeMethods as in the Dockerfile and docs/deploy.md: the engine's huge generated methods get JIT-compiled.
JAVA_OPTS=${JAVA_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC -XX:-DontCompileHugeMethods"}
WAIT_SECONDS=${WAIT_SECONDS:-300}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
. loadtest/scripts/redis-lib.sh
# Free loopback ports, so a server left by someone else never answers in place of ours (PORT_BASE=N: N..N+3).
if [ -n "${PORT_BASE:-}" ]; then
  read -r REDIS_PORT JS_PORT C_PORT WEBDIS_PORT <<< "$PORT_BASE $((PORT_BASE + 1)) $((PORT_BASE + 2)) $((PORT_BASE + 3))"
else
read -r REDIS_PORT JS_PORT C_PORT WEBDIS_PORT < <(python3 -c 'import socket
ss=[socket.socket() for _ in range(4)]
[s.bind(("127.0.0.1", 0)) for s in ss]
print(*[s.getsockname()[1] for s in ss])')
fi
wait_http() { for _ in $(seq 1 $((WAIT_SECONDS * 10))); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

redis_runtime_config "$work/redis.toml" "$REDIS_PORT"
start_redis "$REDIS_PORT"
edge() { # name port manifest
  java $JAVA_OPTS -jar gateway/target/edge.jar up --from "$3" --listen "127.0.0.1:$2" \
    --state-dir "$work/$1-state" --runtime-config-file "$work/redis.toml" > "$work/$1.log" 2>&1 &
  pids+=($!)
}
mkdir -p "$work/js-state/compile-cache"
[ -d "$CACHE" ] && cp "$CACHE"/*.classes "$work/js-state/compile-cache/" 2>/dev/null || true
edge js $JS_PORT examples/hello-key-value-store-js/spin.toml; js_pid=${pids[-1]}
edge c $C_PORT examples/hello-key-value-store/spin.toml; c_pid=${pids[-1]}
cat > "$work/webdis.json" <<WEBDIS
{ "redis_host": "127.0.0.1", "redis_port": $REDIS_PORT, "http_host": "127.0.0.1", "http_port": $WEBDIS_PORT,
  "threads": 1, "pool_size": 4, "daemonize": false, "verbosity": 1, "logfile": "$work/webdis.log" }
WEBDIS
webdis "$work/webdis.json" &
webdis_pid=$!; pids+=($webdis_pid)
for port in $C_PORT $JS_PORT; do wait_http "http://127.0.0.1:$port/.well-known/spin/health"; done
# Both apps are named hello-key-value-store, so they share the Redis key; each sets it once anyway.
for port in $C_PORT $JS_PORT; do
  curl -sf -X POST -H 'content-type: application/json' -d '{"firstName": "River", "lastName": "Scott"}' \
    "http://127.0.0.1:$port/set/rs" > /dev/null
done
redis-cli -p $REDIS_PORT set rs '{"firstName":"River","lastName":"Scott"}' > /dev/null
wait_http http://127.0.0.1:$WEBDIS_PORT/GET/rs.raw
kill -0 "$webdis_pid"  # still ours: webdis exits when its port is taken

targets=(
  "edge-js-component $js_pid http://127.0.0.1:$JS_PORT/get/rs"
  "edge-c-guest $c_pid http://127.0.0.1:$C_PORT/get/rs"
  "webdis $webdis_pid http://127.0.0.1:$WEBDIS_PORT/GET/rs.raw"
)
# warm-up: JIT-compile the JVM targets (the JS engine's hot paths take longer)
wrk -t1 -c"$CONNS" -d30s http://127.0.0.1:$JS_PORT/get/rs > /dev/null
for t in "${targets[@]}"; do set -- $t; wrk -t1 -c"$CONNS" -d5s "$3" > /dev/null; done

: > "$work/results"
for run in $(seq 1 "$RUNS"); do
  for t in "${targets[@]}"; do
    set -- $t
    loadtest/scripts/cpu-per-request.sh "$1" "$2" "$3" "$SECONDS_PER_RUN" "$CONNS" | tee -a "$work/results"
  done
done
echo
echo "| target | median req/s | median server CPU µs/req | CPU ratio vs webdis | p50 / p99 (last run) |"
echo "|---|---:|---:|---:|---|"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { awk -v n="$1" -v c="$2" '$1==n {print $c}' "$work/results"; }
base=$(col webdis 3 | median)
for t in "${targets[@]}"; do
  set -- $t
  rps=$(col "$1" 2 | median); us=$(col "$1" 3 | median)
  last=$(awk -v n="$1" '$1==n {l=$4 " / " $5} END {print l}' "$work/results")
  ratio=$(awk -v a="$us" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
  printf '| %s | %.0f | %s | %s× | %s |\n' "$1" "$rps" "$us" "$ratio" "$last"
done
grep -h "Loaded component" "$work/js.log" "$work/c.log" || true
