package dev.edge.kv.redis;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.testing.RedisTopology;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Two backends over one topology: "region-a" reads replica 0, "region-b" reads replica 1; both write to the primary. */
final class TwoRegions implements AutoCloseable {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final RedisStoreBackend a;
    final RedisStoreBackend b;

    TwoRegions(RedisTopology topology) {
        this(RedisTestConfigs.region("region-a", topology.primary(), topology.replica(0)),
                RedisTestConfigs.region("region-b", topology.primary(), topology.replica(1)));
    }

    TwoRegions(KvStoreConfig.Redis configA, KvStoreConfig.Redis configB) {
        a = new RedisStoreBackend(configA, registry);
        b = new RedisStoreBackend(configB, registry);
    }

    double counter(String name, String region, String... tags) {
        Counter c = registry.find(RedisKvMetrics.PREFIX + name).tag("region", region).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    double flushes(String region, String reason) {
        return counter("nearcache.flushes", region, "reason", reason);
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Optional<byte[]> value) {
        return value.map(v -> new String(v, StandardCharsets.UTF_8)).orElse(null);
    }

    static String read(KeyValueStore store, String key) {
        return text(store.get(key));
    }
}
