#!/usr/bin/env bash
# Issue 9's memory aim, against the jar: 16 concurrent `memhog` guests (each would take its 128 MiB max_memory),
# twice, then 150 clients that each hold a partly sent 2 MiB body, under -Xmx256m and -Xmx1g. Expected: the hogs
# get their own memory error (200 "allocated=N"), the body holders 503 or no answer yet, health and another
# component keep answering, and never an OutOfMemoryError. Loopback only; bounded (about 30 s per heap).
#   ./mvnw -B -q -pl gateway -am package -DskipTests && loadtest/scripts/memory-abuse.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-3095}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cp wasm-exec/src/test/resources/guests/memhog.wasm examples/hello-world/target/hello-world.wasm "$work/"
cat > "$work/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "abuse"
[[trigger.http]]
route = "/hog"
component = "hog"
[[trigger.http]]
route = "/..."
component = "hello"
[component.hog]
source = "memhog.wasm"
[component.hello]
source = "hello-world.wasm"
TOML
for heap in 256m 1g; do
  java "-Xmx$heap" -jar gateway/target/edge.jar up --from "$work/spin.toml" --state-dir "$work/state-$heap" \
    --listen "127.0.0.1:$PORT" > "$work/gateway-$heap.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/.well-known/spin/health" >/dev/null && break; sleep 0.2; done
  echo "== -Xmx$heap ($(uptime))"
  timeout 300 python3 loadtest/scripts/memory_abuse.py "$PORT"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  echo "OutOfMemoryError lines in the gateway's log: $(grep -c OutOfMemoryError "$work/gateway-$heap.log" || true)"
done
