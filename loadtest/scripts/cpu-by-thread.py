#!/usr/bin/env python3
"""Where a server's CPU per request goes, by thread group, during one wrk run (loopback, bounded in time).

For each group of threads (names with their trailing numbers dropped: "XNIO-1 I/O-", "XNIO-1 task-", ...) it prints
user and system CPU µs per request and voluntary / involuntary context switches per request, from
/proc/PID/task/*/{stat,status}. System time and wake-ups are what a JFR profile does not show: a request handed from
an IO thread to a worker costs about one voluntary switch on the worker (docs/benchmarks.md).

  loadtest/scripts/cpu-by-thread.py PID URL [SECONDS=8] [CONNECTIONS=32]
"""
import collections
import os
import re
import subprocess
import sys


def snapshot(pid):
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
            status = open(f"/proc/{pid}/task/{tid}/status").read()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        vol = int(re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status, re.M).group(1))
        invol = int(re.search(r"^nonvoluntary_ctxt_switches:\s+(\d+)", status, re.M).group(1))
        threads[tid] = (name, int(fields[11]), int(fields[12]), vol, invol)  # utime, stime in clock ticks
    return threads


def main():
    pid, url = sys.argv[1], sys.argv[2]
    seconds = sys.argv[3] if len(sys.argv) > 3 else "8"
    conns = sys.argv[4] if len(sys.argv) > 4 else "32"
    tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
    before = snapshot(pid)
    out = subprocess.run(["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    after = snapshot(pid)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = re.search(r"Requests/sec:\s+(\S+)", out).group(1)
    groups = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
    for tid, (name, user, system, vol, invol) in after.items():
        _, user0, system0, vol0, invol0 = before.get(tid, (name, 0, 0, 0, 0))
        g = groups[name.rstrip("0123456789")]
        g[0] += 1
        g[1] += user - user0
        g[2] += system - system0
        g[3] += vol - vol0
        g[4] += invol - invol0
    print(f"{url}: {requests} requests, {rps} req/s")
    print(f"{'threads':<24} {'n':>3} {'user µs/req':>12} {'sys µs/req':>11} {'vol cs/req':>11} {'invol cs/req':>13}")
    total = [0, 0, 0, 0]
    for name, (n, user, system, vol, invol) in sorted(groups.items(), key=lambda g: -(g[1][1] + g[1][2])):
        if user + system + vol == 0:
            continue
        print(f"{name:<24} {n:>3} {user * tick_us / requests:>12.2f} {system * tick_us / requests:>11.2f} "
              f"{vol / requests:>11.3f} {invol / requests:>13.3f}")
        total = [total[0] + user, total[1] + system, total[2] + vol, total[3] + invol]
    print(f"{'total':<24} {'':>3} {total[0] * tick_us / requests:>12.2f} {total[1] * tick_us / requests:>11.2f} "
          f"{total[2] / requests:>11.3f} {total[3] / requests:>13.3f}   "
          f"= {(total[0] + total[1]) * tick_us / requests:.1f} CPU µs/req")


if __name__ == "__main__":
    main()
