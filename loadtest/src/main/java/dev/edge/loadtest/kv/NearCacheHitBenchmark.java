package dev.edge.loadtest.kv;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.StoreBackend;
import dev.edge.kv.memory.InMemoryStoreBackend;
import dev.edge.kv.redis.RedisStoreBackend;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestException;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.WasmHttpHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of a near-cache hit, from the top: the tutorial's {@code GET /get/rs} through
 * {@link WasmHttpHandler#handle} (guest + ABI + store), the store's {@code get} alone, and a raw Caffeine
 * {@code getIfPresent} — each on a hot key, for a Redis backend whose near-cache holds the key and for the
 * in-memory backend. No HTTP: {@code loadtest/scripts/bench-gateway.sh} measures the ingress.
 *
 * <pre>java -jar loadtest/target/benchmarks.jar NearCacheHitBenchmark</pre>
 * (from the repository root: it loads examples/hello-key-value-store/target/hello-key-value-store.wasm;
 * the redis variant starts a local redis-server primary + replica)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NearCacheHitBenchmark {
    private static final String APP = "hello-key-value-store";
    private static final String KEY = "rs";
    private static final byte[] RIVER = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}".getBytes(StandardCharsets.UTF_8);

    /** The tutorial app over one backend, its hot key already read once (so cached by the Redis tier). */
    @State(Scope.Benchmark)
    public static class Tutorial {
        @Param({"redis", "memory"})
        public String backend;

        LocalRedis redis;
        StoreBackend storeBackend;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeadlineWatchdog watchdog;
        WasmHttpHandler handler;
        KeyValueStore store;
        final GuestRequest get = GuestHandlers.request("GET", "/get/" + KEY, "");

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            if (backend.equals("redis")) {
                redis = LocalRedis.start(1);
                storeBackend = new RedisStoreBackend(
                        InvalidationLatencyTool.config("bench", redis.primary(), redis.replica(0)), registry);
            } else {
                storeBackend = new InMemoryStoreBackend();
            }
            store = storeBackend.open(APP, "default");
            store.set(KEY, RIVER);
            watchdog = new DeadlineWatchdog();
            handler = GuestHandlers.load(GuestHandlers.TUTORIAL, APP, storeBackend, watchdog);
            if (storeBackend instanceof RedisStoreBackend redisBackend) {
                // Until the replica confirmed the write the key is dirty (read from the primary); then one read caches it.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!redisBackend.nearCacheContains(APP, "default", KEY)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the near-cache never took the key");
                    }
                    store.get(KEY);
                    Thread.sleep(10);
                }
            }
            GuestResponse response = handler.handle(get);
            if (response.status() != 200) {
                throw new IllegalStateException("GET /get/rs answered " + response.status());
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            Counter hits = registry.find("edge.kv.redis.nearcache.requests").tag("result", "hit").counter();
            Counter misses = registry.find("edge.kv.redis.nearcache.requests").tag("result", "miss").counter();
            if (hits != null && misses != null) {
                System.out.printf("%nnear-cache: %.0f hits, %.0f misses%n", hits.count(), misses.count());
            }
            handler.close();
            watchdog.close();
            storeBackend.close();
            if (redis != null) {
                redis.close();
            }
        }
    }

    /** A Caffeine cache configured like the near-cache (size bound, TTL, inline maintenance), one hot key. */
    @State(Scope.Benchmark)
    public static class RawCaffeine {
        final Cache<String, byte[]> cache = Caffeine.newBuilder().maximumSize(100_000)
                .expireAfterWrite(Duration.ofSeconds(30)).executor(Runnable::run).build();
        final String key = "edge:{" + APP + "/default}:" + KEY;

        @Setup(Level.Trial)
        public void setUp() {
            cache.put(key, RIVER);
        }
    }

    @Benchmark
    public GuestResponse handlerGet(Tutorial tutorial) throws GuestException {
        return tutorial.handler.handle(tutorial.get);
    }

    @Benchmark
    public Optional<byte[]> storeGet(Tutorial tutorial) {
        return tutorial.store.get(KEY);
    }

    @Benchmark
    public byte[] caffeineGet(RawCaffeine raw) {
        return raw.cache.getIfPresent(raw.key);
    }
}
