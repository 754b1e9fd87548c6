package dev.edge.loadtest.kv;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.redis.RedisStoreBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Cross-node invalidation latency at the KV layer, on loopback: node A and node B are two
 * {@link RedisStoreBackend}s ("region-a" reading replica 1, "region-b" reading replica 2) over one local
 * primary. For each sample, B first holds the key in its near-cache; then A writes a new value to the
 * primary, and the tool spins until B's near-cache no longer holds the key (the tracking invalidation
 * went primary -> replica 2 -> B's tracking connection). The arrival time is taken by B's event loop
 * when it counts the push ({@link InvalidationSignal}); the tool parks meanwhile instead of spinning.
 * Reported from the start of A's write and from its acknowledgement (0 when it arrived first).
 *
 * <pre>java -cp loadtest/target/benchmarks.jar dev.edge.loadtest.kv.InvalidationLatencyTool [samples=5000]</pre>
 */
public final class InvalidationLatencyTool {
    private static final String APP = "bench";
    private static final String LABEL = "default";

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int warmup = Math.max(500, samples / 5);
        System.out.println("machine: " + Samples.machineLoad());
        InvalidationSignal signal = new InvalidationSignal();
        try (LocalRedis redis = LocalRedis.start(2);
             RedisStoreBackend a = new RedisStoreBackend(config("region-a", redis.primary(), redis.replica(0)),
                     new SimpleMeterRegistry());
             RedisStoreBackend b = new RedisStoreBackend(config("region-b", redis.primary(), redis.replica(1)),
                     signal)) {
            KeyValueStore storeA = a.open(APP, LABEL);
            KeyValueStore storeB = b.open(APP, LABEL);
            awaitArmed(a);
            awaitArmed(b);
            measure(storeA, storeB, b, signal, warmup, new Samples(warmup), new Samples(warmup), new Samples(warmup));
            Samples fromStart = new Samples(samples);
            Samples fromAck = new Samples(samples);
            Samples writes = new Samples(samples);
            measure(storeA, storeB, b, signal, samples, fromStart, fromAck, writes);
            System.out.println("write on A (primary round trip):          " + writes.summary());
            System.out.println("invalidation at B, from A's write start:  " + fromStart.summary());
            System.out.println("invalidation at B, from A's write ack:    " + fromAck.summary());
            System.out.println(writes.result("invalidation.write-rtt"));
            System.out.println(fromStart.result("invalidation.from-write-start"));
            System.out.println(fromAck.result("invalidation.from-write-ack"));
            System.out.println("machine after: " + Samples.machineLoad());
        }
    }

    private static void measure(KeyValueStore storeA, KeyValueStore storeB, RedisStoreBackend b,
                                InvalidationSignal signal, int samples,
                                Samples fromStart, Samples fromAck, Samples writes) {
        for (int i = 0; i < samples; i++) {
            String key = "inv-" + (i % 1000);
            byte[] before = ("v" + i + "-old").getBytes(StandardCharsets.UTF_8);
            storeA.set(key, before);
            // B must hold the value in its near-cache before the write we time.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!Arrays.equals(storeB.get(key).orElse(null), before) || !b.nearCacheContains(APP, LABEL, key)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("B never cached " + key + ": B reads "
                            + storeB.get(key).map(v -> new String(v, StandardCharsets.UTF_8)).orElse("(absent)")
                            + ", cached=" + b.nearCacheContains(APP, LABEL, key) + ", armed=" + b.trackingArmed());
                }
            }
            long seen = signal.count();
            long start = System.nanoTime();
            storeA.set(key, ("v" + i + "-new").getBytes(StandardCharsets.UTF_8));
            long acknowledged = System.nanoTime();
            long invalidated = signal.awaitAfter(seen, 5_000);
            // The push is counted just before the key is dropped: give the event loop a moment to finish.
            while (b.nearCacheContains(APP, LABEL, key)) {
                if (System.nanoTime() - invalidated > Duration.ofSeconds(1).toNanos()) {
                    throw new IllegalStateException("an invalidation arrived but B still caches " + key);
                }
                Thread.onSpinWait();
            }
            fromStart.add(invalidated - start);
            fromAck.add(Math.max(0, invalidated - acknowledged));
            writes.add(acknowledged - start);
        }
    }

    private static void awaitArmed(RedisStoreBackend backend) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!backend.trackingArmed()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("near-cache tracking not armed within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    static KvStoreConfig.Redis config(String region, URI primary, URI replica) {
        return new KvStoreConfig.Redis(primary, Optional.ofNullable(replica), region, 100_000,
                Duration.ofMinutes(5), Duration.ofSeconds(2), Duration.ofSeconds(5), 0, Duration.ofMillis(500));
    }

    private InvalidationLatencyTool() {}
}
