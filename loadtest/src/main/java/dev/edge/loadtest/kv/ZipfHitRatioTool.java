package dev.edge.loadtest.kv;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.redis.RedisStoreBackend;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.distribution.ZipfDistribution;
import org.apache.commons.math3.random.Well19937c;

/**
 * Near-cache hit ratio of {@link RedisStoreBackend} on a Zipf-distributed read stream: loads {@code keys}
 * keys into a local primary (pipelined), lets a replica catch up, then replays Zipf({@code exponent}) reads
 * through the backend (near-cache of {@code cacheEntries} entries over the replica, the default 30 s TTL
 * backstop) and reads the
 * {@code edge.kv.redis.nearcache.requests{result=hit|miss}} counters over the measured part.
 *
 * <p>Also prints the ceiling for any cache of that size on this stream: the probability mass of the
 * {@code cacheEntries} most popular keys (what a perfect, clairvoyant frequency cache would hit).
 *
 * <pre>java -cp loadtest/target/benchmarks.jar dev.edge.loadtest.kv.ZipfHitRatioTool \
 *     [keys=1000000] [cacheEntries=100000] [exponent=0.99] [warmupReads=2000000] [reads=4000000] [seed=42]</pre>
 */
public final class ZipfHitRatioTool {
    private static final String APP = "zipf";
    private static final String LABEL = "default";
    private static final int PIPELINE = 10_000;

    public static void main(String[] args) {
        int keys = intArg(args, 0, 1_000_000);
        int cacheEntries = intArg(args, 1, 100_000);
        double exponent = args.length > 2 ? Double.parseDouble(args[2]) : 0.99;
        long warmupReads = args.length > 3 ? Long.parseLong(args[3]) : 2_000_000L;
        long reads = args.length > 4 ? Long.parseLong(args[4]) : 4_000_000L;
        int seed = intArg(args, 5, 42);
        System.out.printf(Locale.ROOT, "keys=%d cacheEntries=%d zipf exponent=%.2f warmup=%d reads=%d seed=%d%n",
                keys, cacheEntries, exponent, warmupReads, reads, seed);
        System.out.println("machine: " + Samples.machineLoad());
        System.out.printf(Locale.ROOT, "ceiling (mass of the top %d keys): %.2f%%%n", cacheEntries,
                100 * topMass(keys, cacheEntries, exponent));

        try (LocalRedis redis = LocalRedis.start(1)) {
            long loadStart = System.nanoTime();
            load(redis, keys);
            redis.awaitReplicasInSync();
            System.out.printf(Locale.ROOT, "loaded %d keys (pipelined, %d per flush) in %.1f s%n", keys, PIPELINE,
                    (System.nanoTime() - loadStart) / 1e9);

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (RedisStoreBackend backend = new RedisStoreBackend(
                    withCache(InvalidationLatencyTool.config("zipf", redis.primary(), redis.replica(0)), cacheEntries),
                    registry)) {
                KeyValueStore store = backend.open(APP, LABEL);
                ZipfDistribution zipf = new ZipfDistribution(new Well19937c(seed), keys, exponent);
                replay(store, zipf, warmupReads);
                double hits0 = count(registry, "hit");
                double misses0 = count(registry, "miss");
                long start = System.nanoTime();
                replay(store, zipf, reads);
                double seconds = (System.nanoTime() - start) / 1e9;
                double hits = count(registry, "hit") - hits0;
                double misses = count(registry, "miss") - misses0;
                System.out.printf(Locale.ROOT, "measured: %.0f hits, %.0f misses -> hit ratio %.2f%% "
                                + "(%.0f reads/s on 1 thread, near-cache holds %d entries)%n",
                        hits, misses, 100 * hits / (hits + misses), reads / seconds, backend.nearCacheSize());
                System.out.printf(Locale.ROOT, "RESULT zipf.hit-ratio percent=%.2f ceiling_percent=%.2f reads_per_s=%.0f%n",
                        100 * hits / (hits + misses), 100 * topMass(keys, cacheEntries, exponent), reads / seconds);
            }
        }
        System.out.println("machine after: " + Samples.machineLoad());
    }

    private static void replay(KeyValueStore store, ZipfDistribution zipf, long reads) {
        for (long i = 0; i < reads; i++) {
            int rank = zipf.sample(); // 1 = most popular
            if (store.get(key(rank)).isEmpty()) {
                throw new IllegalStateException("key " + key(rank) + " was not loaded");
            }
        }
    }

    /** SET every key on the primary, {@link #PIPELINE} commands per flush. */
    private static void load(LocalRedis redis, int keys) {
        RedisClient client = RedisClient.create(redis.primary().toString());
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
            connection.setAutoFlushCommands(false);
            RedisAsyncCommands<byte[], byte[]> async = connection.async();
            List<RedisFuture<?>> pending = new ArrayList<>(PIPELINE);
            for (int rank = 1; rank <= keys; rank++) {
                // The backend's key scheme (docs/kv-redis.md): edge:{<app>/<label>}:<key>
                byte[] redisKey = ("edge:{" + APP + "/" + LABEL + "}:" + key(rank)).getBytes(StandardCharsets.UTF_8);
                byte[] value = ("{\"firstName\":\"k" + rank + "\",\"lastName\":\"zipf\"}").getBytes(StandardCharsets.UTF_8);
                pending.add(async.set(redisKey, value));
                if (pending.size() == PIPELINE || rank == keys) {
                    connection.flushCommands();
                    if (!LettuceFutures.awaitAll(Duration.ofSeconds(60), pending.toArray(new RedisFuture[0]))) {
                        throw new IllegalStateException("pipelined load timed out");
                    }
                    pending.clear();
                }
            }
        } finally {
            client.shutdown();
        }
    }

    private static String key(int rank) {
        return "k" + rank;
    }

    /** Sum of rank^-s over the top {@code top} ranks divided by the sum over all {@code n}. */
    static double topMass(int n, int top, double s) {
        double head = 0;
        double all = 0;
        for (int rank = n; rank >= 1; rank--) { // smallest terms first, for accuracy
            double p = Math.pow(rank, -s);
            all += p;
            if (rank <= top) {
                head += p;
            }
        }
        return head / all;
    }

    private static double count(SimpleMeterRegistry registry, String result) {
        Counter counter = registry.find("edge.kv.redis.nearcache.requests").tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The production defaults (30 s TTL backstop, 2 s command budget) with the near-cache size under test. */
    private static KvStoreConfig.Redis withCache(KvStoreConfig.Redis c, long entries) {
        return new KvStoreConfig.Redis(c.url(), c.replicaUrl(), c.region(), entries,
                KvStoreConfig.Redis.DEFAULT_NEAR_CACHE_MAX_TTL, c.commandTimeout(), c.atomicTimeout(), c.waitReplicas(),
                c.waitTimeout());
    }

    private static int intArg(String[] args, int index, int fallback) {
        return args.length > index ? Integer.parseInt(args[index]) : fallback;
    }

    private ZipfHitRatioTool() {}
}
