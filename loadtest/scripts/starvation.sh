#!/usr/bin/env bash
# Issue 9's starvation aim: while 1,000 connections trickle chunked bodies and 64 requests sit in a 30 s guest and
# 64 in a 30 s upstream, health and a fast route keep p99 <= 10 ms and >= 80% of their unloaded throughput.
# Starts edge (a sleeping guest on /slow/..., the trivial guest on /fast, --proxy /upstream/... to StarvationLoad's
# slow upstream), measures health and /fast with wrk unloaded, then under StarvationLoad. Loopback only; bounded.
#   ./mvnw -B -q package -DskipTests && loadtest/scripts/starvation.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10} WARMUP_SECONDS=${WARMUP_SECONDS:-20} CONNS=${CONNS:-32} PORT=${PORT:-3090} UPSTREAM_PORT=${UPSTREAM_PORT:-3091}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
cat > "$work/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "starvation"
version = "0.1.0"
[[trigger.http]]
route = "/slow/..."
component = "slow"
[[trigger.http]]
route = "/fast"
component = "fast"
[component.slow]
source = "$PWD/wasm-exec/src/test/resources/guests/sleep.wasm"
[component.fast]
source = "$PWD/examples/hello-world/target/hello-world.wasm"
TOML
# 16 guests execute (each holds a worker while it sleeps), the other 48 of the 64 wait holding no thread.
cat > "$work/runtime.toml" <<TOML
[execution]
max_concurrent_guests = 16
max_queued_guests = 64
TOML
java $JAVA_OPTS -jar gateway/target/edge.jar up --from "$work/spin.toml" --listen "127.0.0.1:$PORT" \
  --state-dir "$work/state" --runtime-config-file "$work/runtime.toml" --proxy "/upstream/...=http://127.0.0.1:$UPSTREAM_PORT" > "$work/edge.log" 2>&1 &
edge_pid=$!; pids+=($edge_pid)
for _ in $(seq 1 900); do curl -s -o /dev/null "http://127.0.0.1:$PORT/.well-known/spin/health" && break; sleep 0.1; done
measure() { # label url
  local out; out=$(wrk -t1 -c"$CONNS" -d"${SECONDS_PER_RUN}s" --latency "$2")
  echo "$1 $(awk '/Requests\/sec/ {print $2}' <<<"$out") p50=$(awk '$1=="50%" {print $2}' <<<"$out") p99=$(awk '$1=="99%" {print $2}' <<<"$out") $(awk '/Non-2xx|Socket errors/' <<<"$out" | tr '\n' ' ')"
}
health="http://127.0.0.1:$PORT/.well-known/spin/health" fast="http://127.0.0.1:$PORT/fast"
# warm-up: C2 compiles the paths for tens of seconds; 5 s left the unloaded figures below the loaded ones
for url in "$health" "$fast"; do wrk -t1 -c"$CONNS" -d"${WARMUP_SECONDS}s" "$url" > /dev/null; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measure unloaded-health "$health"; measure unloaded-fast "$fast"
java -cp loadtest/target/benchmarks.jar dev.edge.loadtest.StarvationLoad "$PORT" "$UPSTREAM_PORT" \
  $((4 * SECONDS_PER_RUN + 20)) > "$work/load.log" 2>&1 &
load_pid=$!; pids+=($load_pid)
for _ in $(seq 1 600); do grep -q trickling "$work/load.log" && break; sleep 0.1; done
cat "$work/load.log"; echo
sleep 2
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measure loaded-health "$health"; measure loaded-fast "$fast"
measure loaded-health "$health"; measure loaded-fast "$fast"
curl -s "http://127.0.0.1:$PORT/.well-known/spin/health" > /dev/null && echo "gateway healthy"
wait "$load_pid" || true; cat "$work/load.log"
