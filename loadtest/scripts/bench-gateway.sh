#!/usr/bin/env bash
# Whole-gateway benchmark: edge (tutorial hot GET, trivial handler) against its peers in the same run:
# raw Undertow hello world, nginx serving the same 40 bytes, and webdis in front of Redis.
# Each target is measured RUNS times in turn (interleaved, to spread machine noise); the table
# reports medians of requests/s and server CPU µs per request, and ratios to raw Undertow.
# Loopback only; every load run is bounded by SECONDS.
#   ./mvnw -B -q package -DskipTests && loadtest/scripts/bench-gateway.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3} SECONDS_PER_RUN=${SECONDS_PER_RUN:-10} CONNS=${CONNS:-32}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}

# edge on the tutorial app (embedded store)
java $JAVA_OPTS -jar gateway/target/edge.jar up --from examples/hello-key-value-store/spin.toml \
  --listen 127.0.0.1:3000 --state-dir "$work/edge-state" > "$work/edge.log" 2>&1 &
edge_pid=$!; pids+=($edge_pid)
# edge on the trivial handler
java $JAVA_OPTS -jar gateway/target/edge.jar up --from examples/hello-world/spin.toml \
  --listen 127.0.0.1:3001 --state-dir "$work/hello-state" > "$work/hello.log" 2>&1 &
hello_pid=$!; pids+=($hello_pid)
# raw Undertow peer
java $JAVA_OPTS -cp loadtest/target/benchmarks.jar dev.edge.loadtest.RawUndertowHello 127.0.0.1 8081 > "$work/undertow.log" 2>&1 &
undertow_pid=$!; pids+=($undertow_pid)
# nginx peer: the same 40 bytes from a file
mkdir -p "$work/www"; printf '{"firstName":"River","lastName":"Scott"}' > "$work/www/rs"
cat > "$work/nginx.conf" <<NGINX
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:8082; root $work/www; default_type application/json; } }
NGINX
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!; pids+=($nginx_pid)
# webdis peer in front of Redis, serving the same 40-byte value
redis-server --port 6390 --bind 127.0.0.1 --save '' --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
pids+=($!)
cat > "$work/webdis.json" <<WEBDIS
{ "redis_host": "127.0.0.1", "redis_port": 6390, "http_host": "127.0.0.1", "http_port": 7379,
  "threads": 1, "pool_size": 4, "daemonize": false, "verbosity": 1, "logfile": "$work/webdis.log" }
WEBDIS
webdis "$work/webdis.json" &
webdis_pid=$!; pids+=($webdis_pid)

wait_http http://127.0.0.1:3000/.well-known/spin/health
wait_http http://127.0.0.1:3001/.well-known/spin/health
wait_http http://127.0.0.1:8081/
wait_http http://127.0.0.1:8082/rs
sleep 0.5
redis-cli -p 6390 set rs '{"firstName":"River","lastName":"Scott"}' > /dev/null
wait_http http://127.0.0.1:7379/GET/rs.raw
curl -s -X POST -H 'content-type: application/json' -d '{"firstName": "River", "lastName": "Scott"}' \
  http://127.0.0.1:3000/set/rs > /dev/null

targets=(
  "edge-get-rs $edge_pid http://127.0.0.1:3000/get/rs"
  "edge-trivial-guest $hello_pid http://127.0.0.1:3001/"
  "edge-static-health $edge_pid http://127.0.0.1:3000/.well-known/spin/health"
  "raw-undertow $undertow_pid http://127.0.0.1:8081/"
  "nginx $nginx_pid http://127.0.0.1:8082/rs"
  "webdis $webdis_pid http://127.0.0.1:7379/GET/rs.raw"
)
if [ -n "${EXTRA_TARGETS:-}" ]; then IFS=';' read -ra extra <<<"$EXTRA_TARGETS"; targets+=("${extra[@]}"); fi

# warm-up: JIT-compile the JVM targets
for t in "${targets[@]}"; do set -- $t; wrk -t1 -c"$CONNS" -d5s "$3" > /dev/null; done

: > "$work/results"
for run in $(seq 1 "$RUNS"); do
  for t in "${targets[@]}"; do
    set -- $t
    loadtest/scripts/cpu-per-request.sh "$1" "$2" "$3" "$SECONDS_PER_RUN" "$CONNS" | tee -a "$work/results"
  done
done

echo
echo "| target | median req/s | median server CPU µs/req | CPU ratio vs raw Undertow | p50 / p99 (last run) |"
echo "|---|---:|---:|---:|---|"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { awk -v n="$1" -v c="$2" '$1==n {print $c}' "$work/results"; }
base=$(col raw-undertow 3 | median)
for t in "${targets[@]}"; do
  set -- $t
  rps=$(col "$1" 2 | median); us=$(col "$1" 3 | median)
  last=$(awk -v n="$1" '$1==n {l=$4 " / " $5} END {print l}' "$work/results")
  ratio=$(awk -v a="$us" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
  printf '| %s | %.0f | %s | %s× | %s |\n' "$1" "$rps" "$us" "$ratio" "$last"
done
