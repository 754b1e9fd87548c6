#!/usr/bin/env bash
# A/B of edge jars as reverse proxies: nginx proxy_pass, Undertow's ProxyHandler alone (RawUndertowProxy.java) and
# each LABEL=JAR given, in front of the same nginx upstream (the same 40 bytes), warmed WARMUP seconds each, then
# measured in turn RUNS times (interleaved, so machine noise falls on all alike) with cpu-per-request.sh.
#   cp gateway/target/edge.jar /tmp/a.jar; ...change, rebuild...; loadtest/scripts/bench-proxy-ab.sh a=/tmp/a.jar b=gateway/target/edge.jar
# OPTS_<label> adds JVM options to one jar's (e.g. OPTS_b=-Dorg.jboss.logging.provider=jdk); labels are [a-z0-9_].
# IO_THREADS=n runs every proxy with n event loops (nginx worker_processes, Undertow's IO threads, edge's
# [listener] io_threads: only jars that have that setting); unset, nginx has 1 worker and the JVMs their default.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3} SECONDS_PER_RUN=${SECONDS_PER_RUN:-8} CONNS=${CONNS:-32} WARMUP=${WARMUP:-30} IO_THREADS=${IO_THREADS:-}
# Loopback ports: the upstream, nginx, Undertow alone, then one per jar from EDGE_PORT on.
UPSTREAM_PORT=${UPSTREAM_PORT:-8290} NGINX_PORT=${NGINX_PORT:-8291} RAW_PORT=${RAW_PORT:-3299} EDGE_PORT=${EDGE_PORT:-3210}
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_http() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
cat > "$work/proxy.conf" <<NGINX
worker_processes ${IO_THREADS:-1}; daemon off; pid $work/proxy.pid; error_log $work/proxy-error.log;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
  server { listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Host \$host;
      proxy_set_header X-Forwarded-Proto \$scheme; } } }
NGINX
source loadtest/scripts/nginx-lib.sh
start_upstream $UPSTREAM_PORT
/usr/sbin/nginx -c "$work/proxy.conf" -p "$work" & nginx_pid=$!; pids+=($nginx_pid)
JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"
declare -A pid_of url_of; labels=(nginx-proxy_pass raw-undertow)
pid_of[nginx-proxy_pass]=$nginx_pid; url_of[nginx-proxy_pass]=http://127.0.0.1:$NGINX_PORT/rs
java $JAVA_OPTS -cp "${1#*=}" loadtest/scripts/RawUndertowProxy.java 127.0.0.1:$RAW_PORT http://127.0.0.1:$UPSTREAM_PORT $IO_THREADS > "$work/raw.log" 2>&1 & pid_of[raw-undertow]=$!; pids+=($!)
url_of[raw-undertow]=http://127.0.0.1:$RAW_PORT/rs
port=$EDGE_PORT runtime_config=()
if [ -n "$IO_THREADS" ]; then
  printf '[listener]\nio_threads = %s\n' "$IO_THREADS" > "$work/io.toml"; runtime_config=(--runtime-config-file "$work/io.toml")
fi
for spec in "$@"; do label=${spec%%=*} jar=${spec#*=}
  opts_var=OPTS_$label
  java $JAVA_OPTS ${!opts_var:-} -jar "$jar" up --from examples/hello-world/spin.toml --listen 127.0.0.1:$port "${runtime_config[@]}" \
    --state-dir "$work/$label-state" --proxy "/...=http://127.0.0.1:$UPSTREAM_PORT" > "$work/$label.log" 2>&1 & pid_of[$label]=$!; pids+=($!)
  url_of[$label]=http://127.0.0.1:$port/rs; labels+=("$label"); port=$((port+1))
done
for l in "${labels[@]}"; do wait_http "${url_of[$l]}"; done
for l in "${labels[@]}"; do wrk -t1 -c"$CONNS" -d"${WARMUP}s" "${url_of[$l]}" > /dev/null; done
for run in $(seq 1 "$RUNS"); do
  echo "# run $run $(uptime)"
  for l in "${labels[@]}"; do loadtest/scripts/cpu-per-request.sh "$l" "${pid_of[$l]}" "${url_of[$l]}" "$SECONDS_PER_RUN" "$CONNS"; done
done
