#!/usr/bin/env bash
# Whole-gateway benchmark: edge (tutorial hot GET on SQLite and on Redis, trivial handler, WAGI hello,
# a static endpoint) against its peers in the same run:
# raw Undertow hello world, nginx serving the same 40 bytes, and webdis in front of Redis.
# Each target is measured RUNS times in turn (interleaved, to spread machine noise); the table
# reports medians of requests/s and server CPU µs per request, and ratios to raw Undertow.
# Redis's CPU is sampled over every run too: webdis asks Redis for every GET, while edge answers a hot key from
# its near-cache, so the server process alone flatters webdis. The table gives both: the server alone, and the
# server + Redis ("whole server side"), with ratios of each to webdis's.
# Loopback only; every load run is bounded by SECONDS.
#   ./mvnw -B -q package -DskipTests && loadtest/scripts/bench-gateway.sh
# PORT_BASE=N puts the listeners on N..N+10 (default: 3000-3006, 8081, 8082, 7379, 6390).
# BASELINE_JAR=path/to/old/edge.jar also runs the trivial guest and the Redis tutorial from that jar
# (targets base-trivial-guest, base-get-rs-redis), interleaved with the rest: before/after in one run.
# BASELINE_EXAMPLES=path/to/old/examples gives those two their apps (and so their guests) from that tree too.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3} SECONDS_PER_RUN=${SECONDS_PER_RUN:-10} CONNS=${CONNS:-32}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
. loadtest/scripts/redis-lib.sh
# A loaded machine starts five JVMs slowly: wait up to WAIT_SECONDS for each.
WAIT_SECONDS=${WAIT_SECONDS:-90}
# wait_http URL [LOG]: on failure, LOG's last lines say why (the work dir goes at exit).
wait_http() {
  for _ in $(seq 1 $((WAIT_SECONDS * 10))); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "no answer from $1" >&2; [ -z "${2:-}" ] || tail -20 "$2" >&2; exit 1
}
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
EDGE_JAR=${EDGE_JAR:-gateway/target/edge.jar}
if [ -n "${PORT_BASE:-}" ]; then
  b=$PORT_BASE
  p_sqlite=$b p_hello=$((b+1)) p_wagi=$((b+2)) p_edge_redis=$((b+3)) p_static=$((b+4))
  p_undertow=$((b+5)) p_nginx=$((b+6)) p_webdis=$((b+7)) p_redis=$((b+8))
  p_base_hello=$((b+9)) p_base_redis=$((b+10))
else
  p_sqlite=3000 p_hello=3001 p_wagi=3002 p_edge_redis=3003 p_static=3004
  p_undertow=8081 p_nginx=8082 p_webdis=7379 p_redis=6390 p_base_hello=3005 p_base_redis=3006
fi

chmod 755 "$work"
# Quotas off (read_rps/write_rps = 0): the benchmark measures the gateway, not the per-app rate limiter.
cat > "$work/sqlite.toml" <<TOML
[key_value_limits]
read_rps = 0
write_rps = 0
TOML
redis_runtime_config "$work/redis.toml" "$p_redis"
# A static_response route: answered on the IO thread like health.
cat > "$work/static.toml" <<TOML
spin_manifest_version = 2
[application]
name = "static"
version = "0.1.0"
[[trigger.http]]
route = "/static"
static_response = { status_code = 200, headers = { content-type = "application/json" }, body = '{"firstName":"River","lastName":"Scott"}' }
TOML
# One JVM at a time, each up before the next starts: seven starting at once on a loaded machine made the
# Redis-backed node time out connecting to Redis and exit.
edge() { # name port manifest runtime-config [jar]
  java $JAVA_OPTS -jar "${5:-$EDGE_JAR}" up --from "$3" --listen "127.0.0.1:$2" \
    --state-dir "$work/$1-state" ${4:+--runtime-config-file "$4"} > "$work/$1.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$2/.well-known/spin/health" "$work/$1.log"
}
# Redis first: webdis and the Redis-backed edge node read the same server.
start_redis "$p_redis"; redis_pid=${pids[-1]}
# edge: the tutorial on the embedded SQLite store and on Redis (near-cache), the trivial handler, WAGI hello
edge tutorial-sqlite $p_sqlite examples/hello-key-value-store/spin.toml "$work/sqlite.toml"; edge_pid=${pids[-1]}
edge tutorial-redis $p_edge_redis examples/hello-key-value-store/spin.toml "$work/redis.toml"; edge_redis_pid=${pids[-1]}
edge hello $p_hello examples/hello-world/spin.toml; hello_pid=${pids[-1]}
edge wagi $p_wagi examples/wagi-hello/spin.toml; wagi_pid=${pids[-1]}
edge static $p_static "$work/static.toml"; static_pid=${pids[-1]}
edge_ports="$p_sqlite $p_hello $p_wagi $p_edge_redis $p_static"
if [ -n "${BASELINE_JAR:-}" ]; then
  base_examples=${BASELINE_EXAMPLES:-examples}
  edge base-hello $p_base_hello "$base_examples/hello-world/spin.toml" "" "$BASELINE_JAR"; base_hello_pid=${pids[-1]}
  edge base-redis $p_base_redis "$base_examples/hello-key-value-store/spin.toml" "$work/redis.toml" "$BASELINE_JAR"
  base_redis_pid=${pids[-1]}
  edge_ports="$edge_ports $p_base_hello $p_base_redis"
fi
# raw Undertow peer
java $JAVA_OPTS -cp loadtest/target/benchmarks.jar dev.edge.loadtest.RawUndertowHello 127.0.0.1 $p_undertow > "$work/undertow.log" 2>&1 &
undertow_pid=$!; pids+=($undertow_pid)
# nginx peer: the same 40 bytes from a file
mkdir -p "$work/www"; chmod 755 "$work/www"; printf '{"firstName":"River","lastName":"Scott"}' > "$work/www/rs"
cat > "$work/nginx.conf" <<NGINX
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$p_nginx; root $work/www; default_type application/json; } }
NGINX
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!; pids+=($nginx_pid)
# webdis peer in front of Redis, serving the same 40-byte value
cat > "$work/webdis.json" <<WEBDIS
{ "redis_host": "127.0.0.1", "redis_port": $p_redis, "http_host": "127.0.0.1", "http_port": $p_webdis,
  "threads": 1, "pool_size": 4, "daemonize": false, "verbosity": 1, "logfile": "$work/webdis.log" }
WEBDIS
webdis "$work/webdis.json" &
webdis_pid=$!; pids+=($webdis_pid)

for port in $edge_ports; do wait_http "http://127.0.0.1:$port/.well-known/spin/health"; done
wait_http http://127.0.0.1:$p_undertow/
wait_http http://127.0.0.1:$p_nginx/rs
sleep 0.5
redis-cli -p $p_redis set rs '{"firstName":"River","lastName":"Scott"}' > /dev/null
wait_http http://127.0.0.1:$p_webdis/GET/rs.raw
for port in $p_sqlite $p_edge_redis ${BASELINE_JAR:+$p_base_redis}; do
  curl -sf -X POST -H 'content-type: application/json' -d '{"firstName": "River", "lastName": "Scott"}' \
    "http://127.0.0.1:$port/set/rs" > /dev/null
done

targets=(
  "edge-get-rs-sqlite $edge_pid http://127.0.0.1:$p_sqlite/get/rs"
  "edge-get-rs-redis $edge_redis_pid http://127.0.0.1:$p_edge_redis/get/rs"
  "edge-trivial-guest $hello_pid http://127.0.0.1:$p_hello/"
  "edge-wagi-hello $wagi_pid http://127.0.0.1:$p_wagi/hello"
  "edge-static-health $edge_pid http://127.0.0.1:$p_sqlite/.well-known/spin/health"
  "edge-static-response $static_pid http://127.0.0.1:$p_static/static"
  "raw-undertow $undertow_pid http://127.0.0.1:$p_undertow/"
  "nginx $nginx_pid http://127.0.0.1:$p_nginx/rs"
  "webdis $webdis_pid http://127.0.0.1:$p_webdis/GET/rs.raw"
)
if [ -n "${BASELINE_JAR:-}" ]; then
  targets+=("base-trivial-guest $base_hello_pid http://127.0.0.1:$p_base_hello/"
            "base-get-rs-redis $base_redis_pid http://127.0.0.1:$p_base_redis/get/rs")
fi
if [ -n "${EXTRA_TARGETS:-}" ]; then IFS=';' read -ra extra <<<"$EXTRA_TARGETS"; targets+=("${extra[@]}"); fi

# warm-up: JIT-compile the JVM targets
for t in "${targets[@]}"; do set -- $t; wrk -t1 -c"$CONNS" -d5s "$3" > /dev/null; done

: > "$work/results"
for run in $(seq 1 "$RUNS"); do
  for t in "${targets[@]}"; do
    set -- $t
    BACKEND_PID=$redis_pid loadtest/scripts/cpu-per-request.sh "$1" "$2" "$3" "$SECONDS_PER_RUN" "$CONNS" \
      | tee -a "$work/results"
  done
done

echo
echo "| target | median req/s | median server CPU µs/req | CPU ratio vs raw Undertow | median Redis CPU µs/req | median server + Redis µs/req | vs webdis: server / server + Redis | p50 / p99 (last run) |"
echo "|---|---:|---:|---:|---:|---:|---|---|"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { awk -v n="$1" -v c="$2" '$1==n {print $c}' "$work/results"; }
# Redis's µs/request in the same run (cpu-per-request.sh's backend_us/req field), and server + Redis per run.
redis_col() { awk -v n="$1" '$1==n { for (i = 6; i <= NF; i++) if ($i ~ /^backend_us\/req=/) { sub(/.*=/, "", $i); print $i } }' "$work/results"; }
whole_col() { awk -v n="$1" '$1==n { for (i = 6; i <= NF; i++) if ($i ~ /^backend_us\/req=/) { sub(/.*=/, "", $i); print $3 + $i } }' "$work/results"; }
base=$(col raw-undertow 3 | median)
webdis_us=$(col webdis 3 | median) webdis_whole=$(whole_col webdis | median)
for t in "${targets[@]}"; do
  set -- $t
  rps=$(col "$1" 2 | median); us=$(col "$1" 3 | median)
  redis_us=$(redis_col "$1" | median); whole=$(whole_col "$1" | median)
  last=$(awk -v n="$1" '$1==n {l=$4 " / " $5} END {print l}' "$work/results")
  ratio=$(awk -v a="$us" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
  vs_webdis=$(awk -v a="$us" -v b="$webdis_us" -v c="$whole" -v d="$webdis_whole" \
    'BEGIN { printf "%.2f× / %.2f×", a / b, c / d }')
  errors=$(awk -v n="$1" '$1==n && /Non-2xx|Socket errors/' "$work/results" | wc -l)  # cpu-per-request.sh appends wrk's error lines
  [ "$errors" -eq 0 ] || last="$last (ERRORS in $errors runs: see above)"
  printf '| %s | %.0f | %s | %s× | %s | %s | %s | %s |\n' "$1" "$rps" "$us" "$ratio" "$redis_us" "$whole" "$vs_webdis" "$last"
done
