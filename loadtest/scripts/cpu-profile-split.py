"""Splits an async-profiler collapsed profile of a proxy (profile-proxy.sh) by who did the work: each sample (or, for
an alloc profile with `total`, each byte) goes to its leafmost classified frame, walking from the leaf to the root past
shared code (java.*, io.undertow.util, the conduits, XNIO's socket conduit), and counts as kernel time when its leaf is
a kernel frame (_[k]), with the system call it is under.
Usage: python3 cpu-profile-split.py cpu.collapsed"""
import collections
import sys

RULES = [  # (prefix, who): first match wins
    (('dev.edge.routes.UpstreamLane',), 'edge proxy client (UpstreamLane)'),
    (('dev.edge.', 'org.apache.camel.'), 'edge (+Camel)'),
    (('io.undertow.server.handlers.proxy.', 'io.undertow.client.'), 'undertow proxy client'),
    (('io.undertow.server.protocol.http.HttpReadListener.exchangeComplete', 'io.undertow.server.HttpServerExchange.endExchange',
      'io.undertow.server.HttpServerExchange.invokeExchangeComplete', 'io.undertow.server.Connectors.terminate',
      'io.undertow.server.HttpServerExchange.terminate', 'io.undertow.server.HttpServerExchange.closeAndFlush'),
     'server: exchange completion'),
    (('io.undertow.server.protocol.http.HttpReadListener', 'io.undertow.server.protocol.http.HttpRequestParser',
      'io.undertow.server.protocol.http.ParseState'), 'server: request read+parse'),
    (('io.undertow.server.protocol.http.HttpResponseConduit', 'io.undertow.server.protocol.http.HttpTransferEncoding',
      'io.undertow.server.protocol.http.ServerFixedLengthStreamSinkConduit'), 'server: response write'),
    (('io.undertow.server.',), 'server: other'),
]
LOOP = ('org.xnio.nio.WorkerThread', 'org.xnio.nio.Nio', 'sun.nio.ch.EPoll', 'sun.nio.ch.SelectorImpl')
JVM = ('CompileBroker', 'GCTaskThread', 'VMThread', 'ParallelGC', 'PSScavenge', 'ParallelScavenge')
SYSCALLS = {'ksys_read': 'read', 'do_writev': 'writev', 'ksys_write': 'write', '__x64_sys_epoll_ctl': 'epoll_ctl',
            '__x64_sys_epoll_wait': 'epoll_wait', 'entry_SYSCALL_64_after_hwframe': 'syscall entry/exit'}


def who(frame):
    f = frame.replace('/', '.')
    for prefixes, name in RULES:
        if f.startswith(prefixes):
            return name
    if f.startswith(LOOP) and 'Conduit' not in f:
        return 'xnio loop (select, epoll_ctl, tasks, timers)'
    if any(j in f for j in JVM):
        return 'jvm (JIT, GC, VM)'
    return None


def main(path):
    total = 0
    by, kernel, calls, by_call = collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter()
    for line in open(path):
        stack, n = line.rstrip().rsplit(' ', 1)
        n, frames = int(n), stack.split(';')
        total += n
        owner = next((w for w in (who(f) for f in reversed(frames) if not f.endswith('_[k]')) if w), None)
        if owner is None:
            java = any('.' in f or '/' in f for f in frames if not f.endswith('_[k]'))
            owner = 'other' if java else 'jvm (JIT, GC, VM)'
        by[owner] += n
        if frames[-1].endswith('_[k]'):
            kernel[owner] += n
            ks = [f for f in frames if f.endswith('_[k]')]
            i = next((j for j, f in enumerate(ks) if f.startswith('do_syscall_64')), None)
            call = (ks[i + 1] if i is not None and i + 1 < len(ks) else ks[0])[:-4].rstrip('_')
            call = SYSCALLS.get(call, call)
            calls[call] += n
            by_call[(owner, call)] += n
    print(f"{path}: {total} samples")
    print(f"{'who':46s} {'all %':>7s} {'user %':>7s} {'kernel %':>8s}")
    for w, n in by.most_common():
        print(f"{w:46s} {100 * n / total:7.1f} {100 * (n - kernel[w]) / total:7.1f} {100 * kernel[w] / total:8.1f}")
    k = sum(kernel.values())
    print(f"{'total':46s} {100.0:7.1f} {100 * (total - k) / total:7.1f} {100 * k / total:8.1f}")
    if k:
        print("kernel by system call: " + ', '.join(f"{c} {100 * n / total:.1f}%" for c, n in calls.most_common(8)))
        for w, _ in by.most_common():
            row = [(c, n) for (o, c), n in by_call.most_common() if o == w and 100 * n / total >= 0.5]
            if row:
                print(f"  kernel under {w}: " + ', '.join(f"{c} {100 * n / total:.1f}%" for c, n in row))


if __name__ == '__main__':
    main(sys.argv[1])
