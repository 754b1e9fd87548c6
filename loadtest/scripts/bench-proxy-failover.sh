#!/usr/bin/env bash
# A target killed under load (issue 11): edge's --proxy to a pool of two nginx upstreams, wrk for SECONDS_TOTAL,
# one upstream killed with SIGKILL after KILL_AFTER seconds. Prints wrk's request count, its non-2xx and socket
# errors, and edge's retry and ejection counters. RETRIES=on: connect failures and resets are retried (GETs have
# no body, so both are safe), expect 0 failed; RETRIES=off: the failures until the target is ejected.
# Loopback only; the load run is bounded by SECONDS_TOTAL.
#   ./mvnw -B -q -pl gateway -am package -DskipTests && RETRIES=on loadtest/scripts/bench-proxy-failover.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TOTAL=${SECONDS_TOTAL:-10} KILL_AFTER=${KILL_AFTER:-3} CONNS=${CONNS:-32} RETRIES=${RETRIES:-on}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_http() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
chmod 755 "$work"; mkdir -p "$work/www"; chmod 755 "$work/www"
printf '{"firstName":"River","lastName":"Scott"}' > "$work/www/rs"
for port in 8290 8291; do
  # One process (no master), so SIGKILL takes the whole server down at once.
  cat > "$work/upstream-$port.conf" <<NGINX
master_process off; daemon off; pid $work/upstream-$port.pid; error_log $work/upstream-$port-error.log;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$port; root $work/www; default_type application/json; } }
NGINX
  /usr/sbin/nginx -c "$work/upstream-$port.conf" -p "$work" & pids+=($!)
  [ "$port" = 8291 ] && victim=$!
done
if [ "$RETRIES" = on ]; then attempts=1; else attempts=0; fi
cat > "$work/runtime-config.toml" <<TOML
[upstream.api]
targets = ["http://127.0.0.1:8290", "http://127.0.0.1:8291"]
retries = { attempts = $attempts, on = ["connect-failure", "reset"] }
eject_after = 1
eject_for = "30s"
health = { path = "/rs", interval = "1s", timeout = "500ms", unhealthy_after = 2, healthy_after = 2 }
TOML
java -Xms512m -Xmx512m -XX:+UseParallelGC -jar gateway/target/edge.jar up --from examples/hello-world/spin.toml \
  --listen 127.0.0.1:3210 --admin-listen 127.0.0.1:3211 --runtime-config-file "$work/runtime-config.toml" \
  --state-dir "$work/edge-state" --proxy '/...=upstream:api' > "$work/edge.log" 2>&1 & pids+=($!)
wait_http http://127.0.0.1:8290/rs; wait_http http://127.0.0.1:8291/rs; wait_http http://127.0.0.1:3210/rs
wrk -t1 -c"$CONNS" -d3s http://127.0.0.1:3210/rs > /dev/null # warm-up
wrk -t1 -c"$CONNS" -d"${SECONDS_TOTAL}s" http://127.0.0.1:3210/rs > "$work/wrk.out" & wrk_pid=$!
sleep "$KILL_AFTER"; kill -9 "$victim"; echo "killed the upstream on 8291 after ${KILL_AFTER}s"
wait "$wrk_pid"
echo "retries=$RETRIES: $(awk '/requests in/ {print $1, "requests"}' "$work/wrk.out"); $(grep -E 'Non-2xx|Socket errors' "$work/wrk.out" | tr '\n' ' ' || true)"
curl -s http://127.0.0.1:3211/metrics | grep -E '^edge_upstream_(retries_total|ejections_total|rejected_total|target_up)' || true
