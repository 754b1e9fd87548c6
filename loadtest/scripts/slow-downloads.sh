#!/usr/bin/env bash
# Issue 11's slow-download aim: 1,000 concurrent downloads of a 1 GiB response through edge's proxy, each read at
# a few KB/s through a 4 KiB receive buffer, hold no thread. Starts an nginx upstream (a sparse 1 GiB file and
# the 40-byte answer) and edge -Xmx256m with --proxy '/...' to it and an admin listener, then runs SlowDownloads
# (loadtest/src/main/java/dev/edge/loadtest/SlowDownloads.java) for SECONDS: it reads the gateway's live thread
# count and heap from /metrics every second and asks health and the fast proxied /rs every 200 ms. Prints also
# jcmd's thread count before and while loaded, and edge's peak RSS. Loopback only (ports 3890-3892); bounded.
#   ./mvnw -B -q -pl gateway -am package -DskipTests && loadtest/scripts/slow-downloads.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DOWNLOADS=${DOWNLOADS:-1000} SECONDS_LOADED=${SECONDS_LOADED:-90} BYTES_PER_SECOND=${BYTES_PER_SECOND:-4096}
PORT=${PORT:-3890} UPSTREAM_PORT=${UPSTREAM_PORT:-3891} ADMIN_PORT=${ADMIN_PORT:-3892}
JAVA_OPTS=${JAVA_OPTS:-"-Xmx256m"}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_http() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
source loadtest/scripts/nginx-lib.sh
start_upstream $UPSTREAM_PORT application/octet-stream 4096; truncate -s 1G "$work/www/big"
java $JAVA_OPTS -jar "${EDGE_JAR:-gateway/target/edge.jar}" up --from examples/hello-world/spin.toml --listen "127.0.0.1:$PORT" \
  --admin-listen "127.0.0.1:$ADMIN_PORT" --state-dir "$work/edge-state" --proxy "/...=http://127.0.0.1:$UPSTREAM_PORT" \
  > "$work/edge.log" 2>&1 & edge_pid=$!; pids+=($edge_pid)
wait_http "http://127.0.0.1:$UPSTREAM_PORT/rs"; wait_http "http://127.0.0.1:$PORT/rs"
threads() { jcmd "$edge_pid" Thread.print 2>/dev/null | grep -c '^"' || true; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); edge $JAVA_OPTS; $DOWNLOADS downloads at $BYTES_PER_SECOND B/s for ${SECONDS_LOADED}s"
echo "jcmd Thread.print threads before: $(threads)"
java loadtest/src/main/java/dev/edge/loadtest/SlowDownloads.java "$PORT" "$ADMIN_PORT" /big /rs "$SECONDS_LOADED" \
  "$DOWNLOADS" "$BYTES_PER_SECOND" > "$work/load.log" 2>&1 & load_pid=$!; pids+=($load_pid)
sleep $((SECONDS_LOADED / 2)); echo "jcmd Thread.print threads while loaded: $(threads)"
echo "edge's sockets while loaded: $(ls /proc/$edge_pid/fd | wc -l) fds"
wait "$load_pid" || true; cat "$work/load.log"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "jcmd Thread.print threads after: $(threads)"
curl -s -o /dev/null -w 'health after: %{http_code}\n' "http://127.0.0.1:$PORT/.well-known/spin/health"
echo "edge alive: $(kill -0 "$edge_pid" 2>/dev/null && echo yes || echo no); peak RSS $(awk '/VmHWM/ {print $2 $3}' /proc/$edge_pid/status)"
grep -ci 'OutOfMemoryError' "$work/edge.log" | sed 's/^/OutOfMemoryError lines in edge.log: /' || true
