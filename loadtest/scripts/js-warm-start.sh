#!/bin/bash
# Warm start of the JavaScript tutorial (issue 10; docs/benchmarks.md, "Warm start without parsing the compiled bodies").
# usage: js-warm-start.sh JAR STATE_DIR PORT [JVM options...]
# Prints the time from launch to the first answer of GET /get/rs and the JVM CPU by thread kind at that moment.
JAR=$(realpath "$1"); STATE=$(realpath -m "$2"); PORT=$3; shift 3
cd "$(dirname "$0")/../.."
t0=$(date +%s%N)
java "$@" -jar "$JAR" up --from examples/hello-key-value-store-js/spin.toml --listen 127.0.0.1:$PORT --state-dir "$STATE" > "$STATE.log" 2>&1 &
PID=$!
while true; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 http://127.0.0.1:$PORT/get/rs)
  if [ "$code" = 200 ] || [ "$code" = 404 ]; then break; fi
  kill -0 $PID 2>/dev/null || { echo "edge exited before answering, see $STATE.log"; exit 1; }
  sleep 0.05
done
t1=$(date +%s%N)
MS=$((1000 / $(getconf CLK_TCK)))
cpu=$(awk -v ms=$MS '{print ($14+$15)*ms}' /proc/$PID/stat)
threads=$(for t in /proc/$PID/task/*; do echo "$(tr ' ' '_' < $t/comm) $(awk -v ms=$MS '{print ($14+$15)*ms}' $t/stat 2>/dev/null)"; done | sed -E 's/^(C[12]_CompilerThre|GC_Thread|G1_|VM_Thread)[^ ]*/\1/' | awk '{s[$1]+=$2} END {for (k in s) if (s[k]>=100) printf "%s=%dms ", k, s[k]}')
echo "first answer $code after $(( (t1-t0)/1000000 )) ms wall, JVM CPU ${cpu} ms [$threads]; load $(cut -d' ' -f1-3 /proc/loadavg)"
kill $PID; wait $PID 2>/dev/null
