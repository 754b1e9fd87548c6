package dev.edge.loadtest;

import dev.edge.component.executor.ComponentHttpHandler;
import dev.edge.component.executor.ComponentHttpHandlers;
import dev.edge.component.executor.InstanceContext;
import dev.edge.component.runtime.Component;
import dev.edge.component.runtime.ComponentInstance;
import dev.edge.component.wasi.http.HttpExchange;
import dev.edge.kv.memory.InMemoryStoreBackend;
import dev.edge.wasm.CompileCache;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where a component request's CPU goes, in process: loads a component once (warm compile cache), sets
 * {@code rs} in an in-memory store through {@code POST /set/rs}, then times N {@code GET /get/rs} requests
 * through {@link ComponentHttpHandler} and N bare {@code Component.instantiate} + {@code close} pairs (with the
 * instance pool, close resets the instance and instantiate takes it back; {@code -Dedge.componentPool=0}
 * instantiates anew each time), as this thread's own CPU time (so GC and other processes are excluded). Run it
 * under JFR to see which frames the time is in.
 *
 * <pre>java -Xmx2g -cp loadtest/target/benchmarks.jar dev.edge.loadtest.ComponentRequestProfile COMPONENT.wasm CACHE_DIR [N]</pre>
 */
public final class ComponentRequestProfile {
    private ComponentRequestProfile() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long t0 = threads.getCurrentThreadCpuTime();
        Component component = Component.load(Files.readAllBytes(Path.of(args[0])),
                ComponentHttpHandlers.hostInterfaces(), 1L << 30, CompileCache.at(Path.of(args[1])));
        System.out.printf("load: %.0f ms CPU%n", (threads.getCurrentThreadCpuTime() - t0) / 1e6);
        ComponentHttpHandler.States states = TutorialStates.on(new InMemoryStoreBackend());
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog()) {
            ComponentHttpHandler handler = new ComponentHttpHandler("hello", component, states,
                    new GuestLimits(1L << 30, Duration.ofSeconds(60), 1 << 20, 1 << 20, 1), watchdog);
            GuestResponse set = handler.handle(request("POST", "/set/rs",
                    "{\"firstName\": \"River\", \"lastName\": \"Scott\"}"));
            System.out.println("POST /set/rs: " + set.status());
            long[] requests = new long[n];
            long[] instantiations = new long[n];
            long[] closes = new long[n]; // with the instance pool, close() is where the reset happens
            for (int i = 0; i < n; i++) {
                long start = threads.getCurrentThreadCpuTime();
                GuestResponse get = handler.handle(request("GET", "/get/rs", ""));
                long request = threads.getCurrentThreadCpuTime() - start;
                start = threads.getCurrentThreadCpuTime();
                ComponentInstance instance = component.instantiate(new InstanceContext());
                long made = threads.getCurrentThreadCpuTime();
                instance.close();
                long end = threads.getCurrentThreadCpuTime();
                requests[i] = request;
                instantiations[i] = end - start;
                closes[i] = end - made;
                System.out.printf("GET /get/rs %d %d bytes: request %.2f ms, instantiate + close alone %.3f ms CPU"
                        + " (close %.3f ms)%n", get.status(), get.body().length, request / 1e6,
                        (end - start) / 1e6, (end - made) / 1e6);
            }
            System.out.printf("median of the last half: request %.2f ms, instantiate + close alone %.3f ms CPU"
                    + " (close %.3f ms)%n", medianOfLastHalf(requests) / 1e6, medianOfLastHalf(instantiations) / 1e6,
                    medianOfLastHalf(closes) / 1e6);
            // The request's parts: instantiate, the guest's handle, and close (which resets a pooled instance
            // after a real request, i.e. copies back the pages it wrote).
            String handleExport = component.exports().keySet().stream()
                    .filter(e -> e.startsWith("wasi:http/incoming-handler@0.2.")).findFirst().orElseThrow() + "#handle";
            long[] made = new long[n];
            long[] handled = new long[n];
            long[] closed = new long[n];
            for (int i = 0; i < n; i++) {
                HttpExchange exchange = new HttpExchange(request("GET", "/get/rs", ""), 1 << 20);
                try (InstanceContext context = new InstanceContext()) {
                    states.add(null, context);
                    context.with(exchange);
                    long before = threads.getCurrentThreadCpuTime();
                    ComponentInstance instance = component.instantiate(context);
                    long t1 = threads.getCurrentThreadCpuTime();
                    instance.function(handleExport).call(exchange.incomingRequest(), exchange.responseOutparam());
                    long t2 = threads.getCurrentThreadCpuTime();
                    instance.close();
                    long t3 = threads.getCurrentThreadCpuTime();
                    made[i] = t1 - before;
                    handled[i] = t2 - t1;
                    closed[i] = t3 - t2;
                }
            }
            System.out.printf("GET /get/rs in parts, median of the last half: instantiate %.3f ms, handle %.2f ms,"
                    + " close %.3f ms CPU%n", medianOfLastHalf(made) / 1e6, medianOfLastHalf(handled) / 1e6,
                    medianOfLastHalf(closed) / 1e6);
        }
    }

    /** The median of the second half (the first requests still run while the JIT compiles). */
    private static long medianOfLastHalf(long[] values) {
        long[] tail = java.util.Arrays.copyOfRange(values, values.length / 2, values.length);
        java.util.Arrays.sort(tail);
        return tail[tail.length / 2];
    }

    private static GuestRequest request(String method, String path, String body) {
        return new GuestRequest(method, path, List.of(Map.entry("host", "localhost:3000"),
                Map.entry("content-type", "application/json")), body.getBytes(StandardCharsets.UTF_8),
                "127.0.0.1:5000", "HTTP/1.1");
    }
}
