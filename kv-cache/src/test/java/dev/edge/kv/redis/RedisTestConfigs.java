package dev.edge.kv.redis;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.testing.RedisServerProcess;
import java.time.Duration;
import java.util.Optional;

/** KvStoreConfig.Redis values for tests (the TOML loader is not needed here). */
final class RedisTestConfigs {
    private RedisTestConfigs() {}

    static KvStoreConfig.Redis region(String region, RedisServerProcess primary, RedisServerProcess replica) {
        return region(region, primary, replica, 10_000, 0);
    }

    static KvStoreConfig.Redis region(String region, RedisServerProcess primary, RedisServerProcess replica,
                                      long nearCacheEntries, int waitReplicas) {
        return new KvStoreConfig.Redis(primary.uri(), Optional.ofNullable(replica).map(RedisServerProcess::uri),
                region, nearCacheEntries, Duration.ofMinutes(5), Duration.ofSeconds(2), Duration.ofSeconds(2),
                waitReplicas, Duration.ofMillis(1000));
    }
}
