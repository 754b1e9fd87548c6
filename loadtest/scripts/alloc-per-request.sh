#!/usr/bin/env bash
# Bytes allocated per proxied request, exactly: edge --proxy ([listener] io_threads = 1) in front of the nginx upstream
# serving the 40 bytes, warmed WARMUP seconds under wrk (1 thread, 32 connections), then a JFR recording spans one wrk
# run of SECONDS_PER_RUN seconds on CONNS connections (default 1: each request then takes the same turns of the event
# loop, whose own allocation per wake-up would otherwise be shared by more or fewer requests as the machine's load
# changes the batching); jdk.ThreadAllocationStatistics (taken at the recording's start and end) per thread,
# the difference divided by wrk's request count. Prints the IO thread's figure and all threads'. Robust to a noisy
# machine, unlike CPU: the same work allocates the same bytes.
# Usage: [WARMUP=25] [SECONDS_PER_RUN=10] [CONNS=1] alloc-per-request.sh JAR [UPSTREAM_PORT PROXY_PORT]
set -euo pipefail
cd "$(dirname "$0")/../.."
jar=$1 up=${2:-4700} port=${3:-4701} WARMUP=${WARMUP:-25} SECONDS_PER_RUN=${SECONDS_PER_RUN:-10} CONNS=${CONNS:-1}
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source loadtest/scripts/nginx-lib.sh
start_upstream $up
printf '[listener]\nio_threads = 1\n' > "$work/io.toml"
java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$jar" up --from examples/hello-world/spin.toml --listen 127.0.0.1:$port \
  --runtime-config-file "$work/io.toml" --state-dir "$work/state" --proxy "/...=http://127.0.0.1:$up" > "$work/log" 2>&1 &
jpid=$!; pids+=($jpid)
for _ in $(seq 1 300); do curl -s -o /dev/null http://127.0.0.1:$port/rs && break; sleep 0.1; done
cat > "$work/alloc.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">everyChunk</setting></event>
</configuration>
JFC
# JFR's first recording re-instruments JDK classes (socket channels among them): their code is compiled again, and
# until then allocates more. So one recording before the warm-up, and the measured one after it.
jcmd $jpid JFR.start name=first settings="$work/alloc.jfc" > /dev/null; jcmd $jpid JFR.stop name=first > /dev/null
wrk -t1 -c32 -d${WARMUP}s http://127.0.0.1:$port/rs > /dev/null
jcmd $jpid JFR.start name=alloc settings="$work/alloc.jfc" filename="$work/a.jfr" > /dev/null; sleep 1
wrk -t1 -c$CONNS -d${SECONDS_PER_RUN}s http://127.0.0.1:$port/rs > "$work/wrk.txt"
sleep 1; jcmd $jpid JFR.stop name=alloc > /dev/null
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
jfr print --json --events jdk.ThreadAllocationStatistics "$work/a.jfr" | python3 -c '
import json, sys, collections
requests = int(sys.argv[1]); seen = collections.defaultdict(list)
for event in json.load(sys.stdin)["recording"]["events"]:
    values = event["values"]
    seen[(values["thread"] or {}).get("javaName") or "?"].append(values["allocated"])
delta = {t: max(v) - min(v) for t, v in seen.items()}
io = sum(d for t, d in delta.items() if "I/O" in t)
print(f"requests={requests} io_thread_bytes_per_request={io / requests:.0f} all_threads_bytes_per_request={sum(delta.values()) / requests:.0f}")
' "$requests"
