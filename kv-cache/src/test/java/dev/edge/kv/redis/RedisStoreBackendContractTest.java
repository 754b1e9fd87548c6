package dev.edge.kv.redis;

import dev.edge.kv.KeyValueStoreContract;
import dev.edge.kv.StoreBackend;
import dev.edge.kv.testing.RedisTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The SPI contract against a Redis backend that reads through its near-cache from a replica. */
class RedisStoreBackendContractTest extends KeyValueStoreContract {
    private static RedisTopology topology;

    @BeforeAll
    static void startRedis() {
        topology = RedisTopology.primaryWithReplicas(1);
    }

    @AfterAll
    static void stopRedis() {
        if (topology != null) {
            topology.close();
        }
    }

    @Override
    protected StoreBackend newBackend(Path tempDir) {
        topology.flushAll();
        return new RedisStoreBackend(RedisTestConfigs.region("contract", topology.primary(), topology.replica(0)),
                new SimpleMeterRegistry());
    }
}
