#!/usr/bin/env bash
# Reverse-proxy benchmark: edge's --proxy against nginx's proxy_pass, in front of the same upstream (an nginx
# serving the same 40 bytes, keep-alive to the upstream on both sides), measured in turn RUNS times with the
# same wrk connections (interleaved to spread machine noise); beside them Undertow's own ProxyHandler with nothing
# of edge's (RawUndertowProxy.java), the floor edge's proxy stands on. Each proxy runs twice, with equal numbers of
# event loops: one (nginx worker_processes 1, edge [listener] io_threads = 1, Undertow 1 IO thread) and two (nginx
# worker_processes 2, edge's and Undertow's default max(cores, 2) = 2 on this 2-core machine). Prints one line per
# run and target:
#   <label> <requests/s> <server cpu µs/request> <p50> <p99>   (cpu of the proxy process alone, see cpu-per-request.sh)
# then the medians and the ratios of each pairing (the like-for-like ones, 1:1 and 2:2, and the old 1 nginx worker
# against edge's 2 IO threads), then streams a 1 GiB response through edge running with -Xmx256m.
# Loopback only; every load run is bounded by SECONDS_PER_RUN. Ports: UPSTREAM_PORT, NGINX_PORT (1 worker),
# RAW_PORT, EDGE_PORT; EDGE_PORT+1..+4 are the -Xmx256m edge, edge with 1 IO thread, Undertow with 1, nginx with 2.
#   ./mvnw -B -q -pl gateway -am package -DskipTests && loadtest/scripts/bench-proxy.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3} SECONDS_PER_RUN=${SECONDS_PER_RUN:-10} CONNS=${CONNS:-32}
# The JVMs' warm-up: C2 compiling edge's path takes tens of seconds of CPU, counted against the first runs if short.
WARMUP_SECONDS=${WARMUP_SECONDS:-30}
UPSTREAM_PORT=${UPSTREAM_PORT:-8090} NGINX_PORT=${NGINX_PORT:-8091} RAW_PORT=${RAW_PORT:-3012} EDGE_PORT=${EDGE_PORT:-3010}
SMALL_PORT=$((EDGE_PORT+1)) EDGE1_PORT=$((EDGE_PORT+2)) RAW1_PORT=$((EDGE_PORT+3)) NGINX2_PORT=$((EDGE_PORT+4))
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_http() { for _ in $(seq 1 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
# The upstream, and nginx's proxy_pass peer (its own process, one worker, keep-alive upstream connections).
for workers in 1 2; do port=$NGINX_PORT; [ "$workers" = 2 ] && port=$NGINX2_PORT
cat > "$work/proxy$workers.conf" <<NGINX
worker_processes $workers; daemon off; pid $work/proxy$workers.pid; error_log $work/proxy$workers-error.log;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
  server { listen 127.0.0.1:$port;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Host \$host;
      proxy_set_header X-Forwarded-Proto \$scheme; } } }
NGINX
done
printf '[listener]\nio_threads = 1\n' > "$work/io1.toml"
source loadtest/scripts/nginx-lib.sh
start_upstream $UPSTREAM_PORT; truncate -s 1G "$work/www/big"
/usr/sbin/nginx -c "$work/proxy1.conf" -p "$work" & nginx_pid=$!; pids+=($nginx_pid)
/usr/sbin/nginx -c "$work/proxy2.conf" -p "$work" & nginx2_pid=$!; pids+=($nginx2_pid)
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
up=http://127.0.0.1:$UPSTREAM_PORT
java $JAVA_OPTS -jar gateway/target/edge.jar up --from examples/hello-world/spin.toml --listen 127.0.0.1:$EDGE_PORT \
  --state-dir "$work/edge-state" --proxy "/...=$up" > "$work/edge.log" 2>&1 & edge_pid=$!; pids+=($edge_pid)
java $JAVA_OPTS -jar gateway/target/edge.jar up --from examples/hello-world/spin.toml --listen 127.0.0.1:$EDGE1_PORT \
  --runtime-config-file "$work/io1.toml" --state-dir "$work/edge1-state" --proxy "/...=$up" > "$work/edge1.log" 2>&1 & edge1_pid=$!; pids+=($edge1_pid)
java $JAVA_OPTS -cp gateway/target/edge.jar loadtest/scripts/RawUndertowProxy.java 127.0.0.1:$RAW_PORT $up \
  > "$work/undertow.log" 2>&1 & undertow_pid=$!; pids+=($undertow_pid)
java $JAVA_OPTS -cp gateway/target/edge.jar loadtest/scripts/RawUndertowProxy.java 127.0.0.1:$RAW1_PORT $up 1 \
  > "$work/undertow1.log" 2>&1 & undertow1_pid=$!; pids+=($undertow1_pid)
for p in $UPSTREAM_PORT $NGINX_PORT $NGINX2_PORT $EDGE_PORT $EDGE1_PORT $RAW_PORT $RAW1_PORT; do wait_http http://127.0.0.1:$p/rs; done
# Warm-up: the JIT, the proxies' upstream connection pools.
for p in $EDGE_PORT $EDGE1_PORT $RAW_PORT $RAW1_PORT; do wrk -t1 -c"$CONNS" -d"${WARMUP_SECONDS}s" http://127.0.0.1:$p/rs > /dev/null; done
for p in $NGINX_PORT $NGINX2_PORT; do wrk -t1 -c"$CONNS" -d2s http://127.0.0.1:$p/rs > /dev/null; done
upstream_pid=$(cat "$work/upstream.pid")
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$RUNS"); do
  loadtest/scripts/cpu-per-request.sh "upstream-direct" "$upstream_pid" $up/rs "$SECONDS_PER_RUN" "$CONNS"
  loadtest/scripts/cpu-per-request.sh "nginx-proxy_pass-w1" "$nginx_pid" http://127.0.0.1:$NGINX_PORT/rs "$SECONDS_PER_RUN" "$CONNS"
  loadtest/scripts/cpu-per-request.sh "undertow-ProxyHandler-io1" "$undertow1_pid" http://127.0.0.1:$RAW1_PORT/rs "$SECONDS_PER_RUN" "$CONNS"
  loadtest/scripts/cpu-per-request.sh "edge-proxy-io1" "$edge1_pid" http://127.0.0.1:$EDGE1_PORT/rs "$SECONDS_PER_RUN" "$CONNS"
  loadtest/scripts/cpu-per-request.sh "nginx-proxy_pass-w2" "$nginx2_pid" http://127.0.0.1:$NGINX2_PORT/rs "$SECONDS_PER_RUN" "$CONNS"
  loadtest/scripts/cpu-per-request.sh "undertow-ProxyHandler-io2" "$undertow_pid" http://127.0.0.1:$RAW_PORT/rs "$SECONDS_PER_RUN" "$CONNS"
  loadtest/scripts/cpu-per-request.sh "edge-proxy-io2" "$edge_pid" http://127.0.0.1:$EDGE_PORT/rs "$SECONDS_PER_RUN" "$CONNS"
done | tee "$work/runs.txt"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
# Medians of the runs, and per pairing the median of the per-run ratios (the runs are interleaved: a ratio within a
# run shares that run's machine noise).
awk '
  { v[$1, ++n[$1]] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  function median(a, m,   i, j, t, x) { for (i = 1; i <= m; i++) x[i] = a[i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
    return m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2 }
  function ratio(a, b,   i, r) { for (i = 1; i <= n[a]; i++) r[i] = v[a, i] / v[b, i]; return median(r, n[a]) }
  END {
    for (i = 1; i <= k; i++) { l = order[i]; delete x; for (j = 1; j <= n[l]; j++) x[j] = v[l, j]
      printf "median %s %.1f us/req\n", l, median(x, n[l]) }
    printf "ratio 1:1 (like for like) edge-io1/nginx-w1 %.2f  undertow-io1/nginx-w1 %.2f\n", \
      ratio("edge-proxy-io1", "nginx-proxy_pass-w1"), ratio("undertow-ProxyHandler-io1", "nginx-proxy_pass-w1")
    printf "ratio 2:2 (like for like) edge-io2/nginx-w2 %.2f  undertow-io2/nginx-w2 %.2f\n", \
      ratio("edge-proxy-io2", "nginx-proxy_pass-w2"), ratio("undertow-ProxyHandler-io2", "nginx-proxy_pass-w2")
    printf "ratio 1:2 (the old pairing) edge-io2/nginx-w1 %.2f  undertow-io2/nginx-w1 %.2f\n", \
      ratio("edge-proxy-io2", "nginx-proxy_pass-w1"), ratio("undertow-ProxyHandler-io2", "nginx-proxy_pass-w1")
  }' "$work/runs.txt"
# 1 GiB through edge with a 256 MiB heap: the body must stream.
java -Xmx256m -jar gateway/target/edge.jar up --from examples/hello-world/spin.toml --listen 127.0.0.1:$SMALL_PORT \
  --state-dir "$work/edge-small-state" --proxy "/...=$up" > "$work/edge-small.log" 2>&1 & small_pid=$!; pids+=($small_pid)
wait_http http://127.0.0.1:$SMALL_PORT/rs
curl -s -o /dev/null -w 'big-download http=%{http_code} bytes=%{size_download} seconds=%{time_total}\n' http://127.0.0.1:$SMALL_PORT/big
echo "edge -Xmx256m still alive: $(kill -0 "$small_pid" 2>/dev/null && echo yes || echo no); max RSS $(awk '/VmHWM/ {print $2 $3}' /proc/$small_pid/status)"
