package dev.edge.loadtest.kv;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.memory.InMemoryStoreBackend;
import dev.edge.kv.redis.RedisStoreBackend;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.WasmHttpHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Latency of increment and compare-and-swap, one caller at a time, on loopback:
 * <ul>
 *   <li>raw Redis round trips with Lettuce (PING, INCRBY) — the floor;</li>
 *   <li>the KV layer: {@code RedisStoreBackend}'s {@code increment} / {@code compareAndSwap}, and the
 *       increment again inside a {@code DeadlineWatchdog} watch, as every handler call has one;</li>
 *   <li>a handler: the kv_atomics test guest's {@code POST /incr/:key} and {@code POST /cas/:key?expect=}
 *       through {@code WasmHttpHandler.handle} (guest ABI included, no HTTP);</li>
 *   <li>the same handler over the in-memory backend — the guest + ABI cost alone.</li>
 * </ul>
 * A handler CAS is two Redis round trips by design: {@code kv_cas_new} reads the current value (from the
 * primary, since the key was just swapped and is dirty), then the swap runs the Lua script.
 *
 * <pre>java -cp loadtest/target/benchmarks.jar dev.edge.loadtest.kv.AtomicLatencyTool [samples=20000]</pre>
 * (from the repository root: it loads gateway/src/test/resources/guests/kv_atomics.wasm)
 */
public final class AtomicLatencyTool {
    private static final int BLOCK = 500;

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int warmup = Math.max(5_000, samples / 2);
        System.out.println("machine: " + Samples.machineLoad());
        try (LocalRedis redis = LocalRedis.start(1); DeadlineWatchdog watchdog = new DeadlineWatchdog()) {
            KvStoreConfig.Redis config = InvalidationLatencyTool.config("atomics", redis.primary(), redis.replica(0));
            RedisClient client = RedisClient.create(redis.primary().toString());
            try (StatefulRedisConnection<String, String> raw = client.connect();
                 RedisStoreBackend backend = new RedisStoreBackend(config, new SimpleMeterRegistry());
                 InMemoryStoreBackend memory = new InMemoryStoreBackend();
                 WasmHttpHandler overRedis = GuestHandlers.load(GuestHandlers.ATOMICS, "atomics", backend, watchdog);
                 WasmHttpHandler overMemory = GuestHandlers.load(GuestHandlers.ATOMICS, "atomics", memory, watchdog)) {
                RedisCommands<String, String> sync = raw.sync();
                KeyValueStore store = backend.open("atomics", "default");

                Map<String, Call> variants = new LinkedHashMap<>();
                variants.put("raw PING (Lettuce)", i -> sync.ping());
                variants.put("raw INCRBY (Lettuce)", i -> sync.incrby("raw-counter", 1));
                variants.put("KV increment (RedisStoreBackend)", i -> store.increment("kv-counter", 1));
                // Isolates the per-request deadline watch every handler call pays (schedule + cancel).
                variants.put("KV increment inside a deadline watch", i -> {
                    DeadlineWatchdog.Watch watch = watchdog.watch(Duration.ofSeconds(30));
                    try {
                        store.increment("kv-watched-counter", 1);
                    } finally {
                        watch.finish();
                    }
                });
                variants.put("KV compareAndSwap (RedisStoreBackend)",
                        i -> swap(store.compareAndSwap("kv-cas", i == 0 ? null : bytes("v" + (i - 1)), bytes("v" + i))));
                variants.put("handler POST /incr (guest over Redis)",
                        i -> ok(overRedis.handle(GuestHandlers.request("POST", "/incr/h-counter", ""))));
                variants.put("handler POST /cas (guest over Redis)", i -> ok(overRedis.handle(casRequest(i))));
                variants.put("handler POST /incr (guest over memory)",
                        i -> ok(overMemory.handle(GuestHandlers.request("POST", "/incr/h-counter", ""))));
                variants.put("handler POST /cas (guest over memory)", i -> ok(overMemory.handle(casRequest(i))));
                measure(variants, warmup, samples);
            } finally {
                client.shutdown();
            }
        }
        System.out.println("machine after: " + Samples.machineLoad());
    }

    /** Swap v(i-1) -> v(i) (call i = 0 creates the key). Warm-up and measurement continue one sequence. */
    private static GuestRequest casRequest(long i) {
        return GuestHandlers.request("POST", i == 0 ? "/cas/h-cas" : "/cas/h-cas?expect=v" + (i - 1), "v" + i);
    }

    private interface Call {
        void run(long i) throws Exception;
    }

    /**
     * Warms every variant up, then measures them in interleaved blocks of {@link #BLOCK} calls, so a load
     * spike from a neighbour on the shared machine hits all variants alike instead of one.
     */
    private static void measure(Map<String, Call> variants, int warmup, int samples) throws Exception {
        Map<String, Samples> results = new LinkedHashMap<>();
        Map<String, long[]> sequence = new LinkedHashMap<>();
        for (Map.Entry<String, Call> variant : variants.entrySet()) {
            long[] next = {0};
            for (int w = 0; w < warmup; w++) {
                variant.getValue().run(next[0]++);
            }
            results.put(variant.getKey(), new Samples(samples));
            sequence.put(variant.getKey(), next);
        }
        for (int done = 0; done < samples; done += BLOCK) {
            for (Map.Entry<String, Call> variant : variants.entrySet()) {
                Samples measured = results.get(variant.getKey());
                long[] next = sequence.get(variant.getKey());
                for (int s = done; s < Math.min(samples, done + BLOCK); s++) {
                    long start = System.nanoTime();
                    variant.getValue().run(next[0]++);
                    measured.add(System.nanoTime() - start);
                }
            }
        }
        results.forEach((what, measured) -> System.out.printf("%-42s %s%n", what, measured.summary()));
        results.forEach((what, measured) -> System.out.println(measured.result(
                "atomics." + what.replaceAll("[^A-Za-z0-9/]+", "-").replaceAll("-+$", ""))));
    }

    private static void ok(GuestResponse response) {
        if (response.status() != 200) {
            throw new IllegalStateException("handler answered " + response.status() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    private static void swap(boolean swapped) {
        if (!swapped) {
            throw new IllegalStateException("uncontended compare-and-swap failed");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private AtomicLatencyTool() {}
}
