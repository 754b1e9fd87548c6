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

/**
 * Latency of increment and compare-and-swap, one caller at a time, on loopback:
 * <ul>
 *   <li>raw Redis round trips with Lettuce (PING, INCRBY) — the floor;</li>
 *   <li>the KV layer: {@code RedisStoreBackend}'s {@code increment} / {@code compareAndSwap};</li>
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

                report("raw PING (Lettuce)", warmup, samples, i -> sync.ping());
                report("raw INCRBY (Lettuce)", warmup, samples, i -> sync.incrby("raw-counter", 1));
                report("KV increment (RedisStoreBackend)", warmup, samples, i -> store.increment("kv-counter", 1));
                report("KV compareAndSwap (RedisStoreBackend)", warmup, samples,
                        i -> swap(store.compareAndSwap("kv-cas", i == 0 ? null : bytes("v" + (i - 1)), bytes("v" + i))));
                report("handler POST /incr (guest over Redis)", warmup, samples,
                        i -> ok(overRedis.handle(GuestHandlers.request("POST", "/incr/h-counter", ""))));
                report("handler POST /cas (guest over Redis)", warmup, samples,
                        i -> ok(overRedis.handle(casRequest(i))));
                report("handler POST /incr (guest over memory)", warmup, samples,
                        i -> ok(overMemory.handle(GuestHandlers.request("POST", "/incr/h-counter", ""))));
                report("handler POST /cas (guest over memory)", warmup, samples,
                        i -> ok(overMemory.handle(casRequest(i))));
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

    private static void report(String what, int warmup, int samples, Call call) throws Exception {
        Samples measured = new Samples(samples);
        long i = 0;
        for (int w = 0; w < warmup; w++) {
            call.run(i++);
        }
        for (int s = 0; s < samples; s++) {
            long start = System.nanoTime();
            call.run(i++);
            measured.add(System.nanoTime() - start);
        }
        System.out.printf("%-42s %s%n", what, measured.summary());
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
