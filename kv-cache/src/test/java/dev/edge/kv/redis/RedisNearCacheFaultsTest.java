package dev.edge.kv.redis;

import static dev.edge.kv.redis.TwoRegions.bytes;
import static dev.edge.kv.redis.TwoRegions.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.testing.RedisServerProcess;
import dev.edge.kv.testing.RedisTopology;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events after which invalidations may have been lost must flush the whole near-cache, and tracking must
 * be re-armed so later invalidations arrive again.
 */
class RedisNearCacheFaultsTest {
    private static RedisTopology topology;
    private SimpleMeterRegistry registry;
    private RedisStoreBackend backend;
    private KeyValueStore store;

    @BeforeAll
    static void startRedis() {
        topology = RedisTopology.primaryWithReplicas(1);
    }

    @AfterAll
    static void stopRedis() {
        topology.close();
    }

    @BeforeEach
    void openBackend() {
        topology.flushAll();
        registry = new SimpleMeterRegistry();
        backend = new RedisStoreBackend(RedisTestConfigs.region("region-a", topology.primary(), topology.replica(0)),
                registry);
        store = backend.open("app", "default");
        await().atMost(Duration.ofSeconds(5)).until(backend::trackingArmed);
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    @Test
    void killedTrackingConnectionFlushesTheCacheAndIsReArmed() {
        long oldId = cacheTwoKeys();
        topology.replica(0).command("CLIENT", "KILL", "ID", Long.toString(oldId));
        await().atMost(Duration.ofSeconds(5)).until(() -> flushes("disconnect") >= 1);
        assertThat(backend.nearCacheContains("app", "default", "a")).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(backend::trackingArmed);
        assertThat(backend.trackingClientId()).isNotEqualTo(oldId).isPositive();
        assertLaterInvalidationsArrive();
    }

    @Test
    void flushAllFlushesTheCacheAndTrackingContinues() {
        cacheTwoKeys();
        topology.primary().command("FLUSHALL");
        await().atMost(Duration.ofSeconds(5)).until(() -> flushes("invalidate-all") >= 1);
        assertThat(backend.nearCacheSize()).isZero();
        assertThat(store.get("a")).isEmpty();
        assertThat(backend.trackingArmed()).isTrue();
        assertLaterInvalidationsArrive();
    }

    @Test
    void replicaFullResyncFlushesTheCacheAndTrackingContinues() {
        cacheTwoKeys();
        RedisServerProcess replica = topology.replica(0);
        replica.command("REPLICAOF", "NO", "ONE");
        // the promoted replica has a new replication id: the prober notices and flushes
        await().atMost(Duration.ofSeconds(5)).until(() -> flushes("replid-change") >= 1);
        assertThat(backend.nearCacheSize()).isZero();
        replica.command("SET", "edge:{app/default}:a", "diverged");
        await().atMost(Duration.ofSeconds(5)).until(() -> "diverged".equals(read(store, "a")));
        assertThat(backend.nearCacheContains("app", "default", "a")).isTrue();

        double before = flushes("replid-change") + flushes("invalidate-all");
        replica.command("REPLICAOF", "127.0.0.1", Integer.toString(topology.linkPort(0)));
        topology.awaitReplicasInSync(); // full resync: the diverged data set is replaced
        await().atMost(Duration.ofSeconds(5)).until(() -> flushes("replid-change") + flushes("invalidate-all") > before);
        await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(read(store, "a")));
        assertThat(backend.trackingArmed()).isTrue();
        assertLaterInvalidationsArrive();
    }

    @Test
    void writesFailLoudlyWhileThePrimaryIsUnreachable() {
        topology.primary().pause();
        try {
            assertThatThrownBy(() -> store.set("w", bytes("x")))
                    .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.kind()).isEqualTo(KvException.Kind.OTHER))
                    .hasMessageContaining("timed out");
            assertThatThrownBy(() -> store.delete("w")).isInstanceOf(KvException.class);
        } finally {
            topology.primary().resume();
        }
        store.set("w", bytes("y"));
        assertThat(read(store, "w")).isEqualTo("y");
        assertThat(registry.find(RedisKvMetrics.PREFIX + "op").tag("op", "set").tag("outcome", "error").timer())
                .isNotNull().satisfies(t -> assertThat(t.count()).isEqualTo(1));
    }

    /** Caches "a" and "b" (values "1", "2") and returns the tracking client id. */
    private long cacheTwoKeys() {
        topology.primary().command("SET", "edge:{app/default}:a", "1");
        topology.primary().command("SET", "edge:{app/default}:b", "2");
        topology.awaitReplicasInSync();
        assertThat(read(store, "a")).isEqualTo("1");
        assertThat(read(store, "b")).isEqualTo("2");
        assertThat(backend.nearCacheSize()).isEqualTo(2);
        return backend.trackingClientId();
    }

    private void assertLaterInvalidationsArrive() {
        topology.primary().command("SET", "edge:{app/default}:later", "old");
        await().atMost(Duration.ofSeconds(5)).until(() -> "old".equals(read(store, "later")));
        assertThat(backend.nearCacheContains("app", "default", "later")).as("cached").isTrue();
        topology.primary().command("SET", "edge:{app/default}:later", "new");
        await().atMost(Duration.ofSeconds(5)).until(() -> !backend.nearCacheContains("app", "default", "later"));
        assertThat(read(store, "later")).isEqualTo("new");
    }

    private double flushes(String reason) {
        Counter c = registry.find(RedisKvMetrics.PREFIX + "nearcache.flushes").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
