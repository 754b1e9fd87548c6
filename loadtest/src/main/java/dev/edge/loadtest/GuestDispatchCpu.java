package dev.edge.loadtest;

import com.sun.management.ThreadMXBean;
import dev.edge.wasm.InstancePolicy;
import java.lang.management.ManagementFactory;

/**
 * {@link GuestDispatchBenchmark}'s tutorial {@code GET /get/rs} (in-memory store, reused instance) measured in the
 * calling thread's own CPU time and allocated bytes per request, not wall-clock time: on a machine other jobs share,
 * wall-clock JMH scores move 2-5× while a thread's CPU time stays within a few per cent. Run from the repository
 * root (the guest comes from {@code -Dedge.repo}, default {@code .}, so another tree's guest can be measured):
 * <pre>java -Xms1g -Xmx1g -XX:+UseParallelGC -cp loadtest/target/benchmarks.jar dev.edge.loadtest.GuestDispatchCpu [requests]</pre>
 * It warms up on 300,000 requests, then prints five rounds of µs of CPU and bytes allocated per request.
 */
public final class GuestDispatchCpu {
    private GuestDispatchCpu() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        GuestDispatchBenchmark bench = new GuestDispatchBenchmark();
        bench.policy = InstancePolicy.REUSE;
        bench.setUp();
        try {
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 300_000; i++) {
                bench.tutorialGetOnMemoryStore();
            }
            StringBuilder rounds = new StringBuilder();
            for (int round = 0; round < 5; round++) {
                long cpu = threads.getCurrentThreadCpuTime();
                long bytes = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < n; i++) {
                    bench.tutorialGetOnMemoryStore();
                }
                rounds.append(String.format("%.2f µs %d B  ", (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / n,
                        (threads.getCurrentThreadAllocatedBytes() - bytes) / n));
            }
            System.out.println("tutorial GET /get/rs per request (CPU, allocated): " + rounds.toString().strip());
        } finally {
            bench.tearDown();
        }
    }
}
