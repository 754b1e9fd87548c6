#!/usr/bin/env bash
# Server CPU per request: the user+system CPU time (all threads, from /proc) that the target process and
# its direct children consumed during one wrk run, divided by the requests wrk completed. Prints one line:
#   <label> <requests/s> <cpu µs/request> <p50 latency> <p99 latency> [wrk errors] cs/req=<context switches/request> sys_us/req=<system part>
# (sys_us/req: the kernel's share of the cpu µs/request, the process's stime alone: system calls, mostly)
# (context switches: voluntary + involuntary of all the process's threads, what `pidstat -w -t` counts)
# BACKEND_PID=pid (e.g. redis-server's) appends backend_us/req=<that process's CPU µs/request over the same run>:
# a server that asks a backend per request (webdis → Redis) must be compared with the backend's work counted too.
# Usage: [BACKEND_PID=pid] cpu-per-request.sh LABEL PID URL [SECONDS] [CONNECTIONS] [WRK_THREADS]
set -euo pipefail
label=$1 pid=$2 url=$3 secs=${4:-10} conns=${5:-32} threads=${6:-1}
tck=$(getconf CLK_TCK)
# The process and its direct children (nginx's workers are children of its master); SYS_ONLY=1: stime alone.
cpu() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] || continue  # a child that ended meanwhile
    total=$(( total + $(awk -v s="${SYS_ONLY:-}" '{print (s ? 0 : $14) + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
# Context switches of every thread of the process and its direct children.
switches() {
  local p
  for p in "$1" $(pgrep -P "$1" || true); do cat /proc/"$p"/task/*/status 2>/dev/null || true; done \
    | awk '/_ctxt_switches/ {n += $2} END {print n + 0}'
}
backend=${BACKEND_PID:-}
before=$(cpu "$pid") sys_before=$(SYS_ONLY=1 cpu "$pid") cs_before=$(switches "$pid") backend_before=${backend:+$(cpu "$backend")}
out=$(wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$url")
after=$(cpu "$pid") sys_after=$(SYS_ONLY=1 cpu "$pid") cs_after=$(switches "$pid") backend_after=${backend:+$(cpu "$backend")}
reqs=$(awk '/requests in/ {print $1}' <<<"$out")
rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
p50=$(awk '$1=="50%" {print $2}' <<<"$out")
p99=$(awk '$1=="99%" {print $2}' <<<"$out")
errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
us=$(awk -v a="$after" -v b="$before" -v t="$tck" -v n="$reqs" 'BEGIN { printf "%.1f", (a - b) / t / n * 1e6 }')
sys=$(awk -v a="$sys_after" -v b="$sys_before" -v t="$tck" -v n="$reqs" 'BEGIN { printf "%.1f", (a - b) / t / n * 1e6 }')
cs=$(awk -v a="$cs_after" -v b="$cs_before" -v n="$reqs" 'BEGIN { printf "%.3f", (a - b) / n }')
backend_us=""
if [ -n "$backend" ]; then
  backend_us=" backend_us/req=$(awk -v a="$backend_after" -v b="$backend_before" -v t="$tck" -v n="$reqs" \
    'BEGIN { printf "%.1f", (a - b) / t / n * 1e6 }')"
fi
echo "$label $rps $us $p50 $p99 ${errors}cs/req=$cs$backend_us sys_us/req=$sys"
