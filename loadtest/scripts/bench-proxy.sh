#!/usr/bin/env bash
# Reverse-proxy benchmark: edge's --proxy against nginx's proxy_pass, in front of the same upstream (an nginx
# serving the same 40 bytes, keep-alive to the upstream on both sides), measured in turn RUNS times with the
# same wrk connections (interleaved to spread machine noise); beside them Undertow's own ProxyHandler with nothing
# of edge's (RawUndertowProxy.java), the floor edge's proxy stands on. Prints one line per run and target:
#   <label> <requests/s> <server cpu µs/request> <p50> <p99>   (cpu of the proxy process alone, see cpu-per-request.sh)
# then streams a 1 GiB response through edge running with -Xmx256m.
# Loopback only; every load run is bounded by SECONDS_PER_RUN.
#   ./mvnw -B -q -pl gateway -am package -DskipTests && loadtest/scripts/bench-proxy.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3} SECONDS_PER_RUN=${SECONDS_PER_RUN:-10} CONNS=${CONNS:-32}
# The JVMs' warm-up: C2 compiling edge's path takes tens of seconds of CPU, counted against the first runs if short.
WARMUP_SECONDS=${WARMUP_SECONDS:-30}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
chmod 755 "$work"; mkdir -p "$work/www"; chmod 755 "$work/www"
printf '{"firstName":"River","lastName":"Scott"}' > "$work/www/rs"
truncate -s 1G "$work/www/big"
# The upstream, and nginx's proxy_pass peer (its own process, one worker, keep-alive upstream connections).
cat > "$work/upstream.conf" <<NGINX
worker_processes 1; daemon off; pid $work/upstream.pid; error_log $work/upstream-error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; keepalive_requests 1000000;
  server { listen 127.0.0.1:8090; root $work/www; default_type application/json; } }
NGINX
cat > "$work/proxy.conf" <<NGINX
worker_processes 1; daemon off; pid $work/proxy.pid; error_log $work/proxy-error.log;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:8090; keepalive 64; }
  server { listen 127.0.0.1:8091;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Host \$host;
      proxy_set_header X-Forwarded-Proto \$scheme; } } }
NGINX
/usr/sbin/nginx -c "$work/upstream.conf" -p "$work" & pids+=($!)
/usr/sbin/nginx -c "$work/proxy.conf" -p "$work" & nginx_pid=$!; pids+=($nginx_pid)
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
java $JAVA_OPTS -jar gateway/target/edge.jar up --from examples/hello-world/spin.toml --listen 127.0.0.1:3010 \
  --state-dir "$work/edge-state" --proxy '/...=http://127.0.0.1:8090' > "$work/edge.log" 2>&1 & edge_pid=$!; pids+=($edge_pid)
java $JAVA_OPTS -cp gateway/target/edge.jar loadtest/scripts/RawUndertowProxy.java 127.0.0.1:3012 http://127.0.0.1:8090 \
  > "$work/undertow.log" 2>&1 & undertow_pid=$!; pids+=($undertow_pid)
wait_http http://127.0.0.1:8090/rs; wait_http http://127.0.0.1:8091/rs; wait_http http://127.0.0.1:3010/rs
wait_http http://127.0.0.1:3012/rs
# Warm-up: the JIT, the proxies' upstream connection pools.
wrk -t1 -c"$CONNS" -d"${WARMUP_SECONDS}s" http://127.0.0.1:3010/rs > /dev/null
wrk -t1 -c"$CONNS" -d"${WARMUP_SECONDS}s" http://127.0.0.1:3012/rs > /dev/null
wrk -t1 -c"$CONNS" -d2s http://127.0.0.1:8091/rs > /dev/null
upstream_pid=$(cat "$work/upstream.pid")
for run in $(seq 1 "$RUNS"); do
  loadtest/scripts/cpu-per-request.sh "upstream-direct" "$upstream_pid" http://127.0.0.1:8090/rs "$SECONDS_PER_RUN" "$CONNS"
  loadtest/scripts/cpu-per-request.sh "nginx-proxy_pass" "$nginx_pid" http://127.0.0.1:8091/rs "$SECONDS_PER_RUN" "$CONNS"
  loadtest/scripts/cpu-per-request.sh "undertow-ProxyHandler" "$undertow_pid" http://127.0.0.1:3012/rs "$SECONDS_PER_RUN" "$CONNS"
  loadtest/scripts/cpu-per-request.sh "edge-proxy" "$edge_pid" http://127.0.0.1:3010/rs "$SECONDS_PER_RUN" "$CONNS"
done
# 1 GiB through edge with a 256 MiB heap: the body must stream.
java -Xmx256m -jar gateway/target/edge.jar up --from examples/hello-world/spin.toml --listen 127.0.0.1:3011 \
  --state-dir "$work/edge-small-state" --proxy '/...=http://127.0.0.1:8090' > "$work/edge-small.log" 2>&1 & small_pid=$!; pids+=($small_pid)
wait_http http://127.0.0.1:3011/rs
curl -s -o /dev/null -w 'big-download http=%{http_code} bytes=%{size_download} seconds=%{time_total}\n' http://127.0.0.1:3011/big
echo "edge -Xmx256m still alive: $(kill -0 "$small_pid" 2>/dev/null && echo yes || echo no); max RSS $(awk '/VmHWM/ {print $2 $3}' /proc/$small_pid/status)"
