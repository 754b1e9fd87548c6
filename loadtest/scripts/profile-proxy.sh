#!/usr/bin/env bash
# Profiles one proxy with one event loop under wrk (1 thread, 32 connections, 60 s) in front of an nginx upstream serving
# the 40 bytes: edge --proxy ([listener] io_threads = 1), or RawUndertowProxy.java (1 IO thread).
#   MODE=cpu|alloc: async-profiler (ASYNC_PROFILER=path of libasyncProfiler.so, e.g. linux-x64/ from the
#     tools.profiler:async-profiler jar on Maven Central) attached by jcmd after 35 s of load, for 20 s: cpu = perf_events
#     at 1 ms with kernel frames (split it with cpu-profile-split.py), alloc = bytes allocated by stack (collapsed, total)
#   MODE=jfr: -XX:StartFlightRecording=delay=35s,duration=20s,settings=profile
# Usage: [MODE=cpu] [EDGE_JAR=gateway/target/edge.jar] profile-proxy.sh edge|raw OUT_DIR [UPSTREAM_PORT PROXY_PORT]
set -euo pipefail
cd "$(dirname "$0")/../.."
target=$1 work=$2 up=${3:-4700} port=${4:-4701} MODE=${MODE:-cpu} jar=${EDGE_JAR:-gateway/target/edge.jar}
rm -rf "$work"; mkdir -p "$work"; work=$(cd "$work" && pwd)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
source loadtest/scripts/nginx-lib.sh
start_upstream $up
opts=(-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -Xms512m -Xmx512m -XX:+UseParallelGC)
[ "$MODE" = jfr ] && opts+=("-XX:StartFlightRecording=delay=35s,duration=20s,filename=$work/x.jfr,settings=profile")
case $target in
  edge) printf '[listener]\nio_threads = 1\n' > "$work/io.toml"
        java "${opts[@]}" -jar "$jar" up --from examples/hello-world/spin.toml --listen 127.0.0.1:$port \
          --runtime-config-file "$work/io.toml" --state-dir "$work/state" --proxy "/...=http://127.0.0.1:$up" > "$work/log" 2>&1 & ;;
  raw)  java "${opts[@]}" -cp "$jar" loadtest/scripts/RawUndertowProxy.java 127.0.0.1:$port http://127.0.0.1:$up 1 > "$work/log" 2>&1 & ;;
  *) echo "target: edge or raw" >&2; exit 2 ;;
esac
jpid=$!; pids+=($jpid)
for _ in $(seq 1 300); do curl -s -o /dev/null http://127.0.0.1:$port/rs && break; sleep 0.1; done
echo "$target start $(uptime)"
wrk -t1 -c32 -d60s --latency http://127.0.0.1:$port/rs > "$work/wrk.txt" & wpid=$!
if [ "$MODE" != jfr ]; then
  event=cpu,interval=1000000,cstack=fp out=cpu.collapsed stop=collapsed
  [ "$MODE" = alloc ] && event=alloc out=alloc.collapsed stop=collapsed,total
  # jcmd reads a=b as its own argument: the agent's options go in quotes
  sleep 35; jcmd $jpid JVMTI.agent_load "$ASYNC_PROFILER" "\"start,event=$event\"" > "$work/ap-start.txt"
  sleep 20; jcmd $jpid JVMTI.agent_load "$ASYNC_PROFILER" "\"stop,$stop,file=$work/$out\"" > "$work/ap-stop.txt"
fi
wait $wpid
echo "$target end $(uptime)"; grep -E 'Requests/sec|requests in' "$work/wrk.txt"
