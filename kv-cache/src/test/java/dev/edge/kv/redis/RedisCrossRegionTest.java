package dev.edge.kv.redis;

import static dev.edge.kv.redis.TwoRegions.bytes;
import static dev.edge.kv.redis.TwoRegions.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.testing.RedisTopology;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A primary, two replicas, and two regional backends writing through to the one primary. */
class RedisCrossRegionTest {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCrossRegionTest.class);
    private static RedisTopology topology;
    private TwoRegions regions;
    private KeyValueStore storeA;
    private KeyValueStore storeB;

    @BeforeAll
    static void startRedis() {
        topology = RedisTopology.primaryWithReplicas(2);
    }

    @AfterAll
    static void stopRedis() {
        topology.close();
    }

    @BeforeEach
    void openRegions() {
        topology.flushAll();
        regions = new TwoRegions(topology);
        storeA = regions.a.open("app", "default");
        storeB = regions.b.open("app", "default");
    }

    @AfterEach
    void closeRegions() {
        regions.close();
    }

    @Test
    void writeInOneRegionBecomesVisibleInTheOther() {
        storeA.set("greeting", bytes("v1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> "v1".equals(read(storeB, "greeting")));
        assertThat(read(storeB, "greeting")).isEqualTo("v1");
        assertThat(regions.b.nearCacheContains("app", "default", "greeting")).as("cached in region b").isTrue();

        for (int i = 2; i <= 6; i++) {
            String value = "v" + i;
            long start = System.nanoTime();
            storeA.set("greeting", bytes(value));
            long acked = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> value.equals(read(storeB, "greeting")));
            LOG.info("cross-region visibility of write {}: ack {} us, visible in region-b after {} us", i,
                    (acked - start) / 1000, (System.nanoTime() - start) / 1000);
        }
        // the near-cache in region b was invalidated, not bypassed: it serves the new value again
        read(storeB, "greeting");
        assertThat(regions.b.nearCacheContains("app", "default", "greeting")).isTrue();
        assertThat(read(storeB, "greeting")).isEqualTo("v6");
    }

    @Test
    void repeatedReadsAreServedByTheNearCacheIncludingMisses() {
        storeA.set("k", bytes("v"));
        topology.awaitReplicasInSync();
        double hitsBefore = regions.counter("nearcache.requests", "region-b", "result", "hit");
        assertThat(read(storeB, "k")).isEqualTo("v");
        assertThat(storeB.get("absent")).isEmpty();
        for (int i = 0; i < 10; i++) {
            assertThat(read(storeB, "k")).isEqualTo("v");
            assertThat(storeB.get("absent")).isEmpty();
        }
        assertThat(regions.counter("nearcache.requests", "region-b", "result", "hit") - hitsBefore).isEqualTo(20);
        assertThat(regions.b.nearCacheContains("app", "default", "absent")).as("negative entry").isTrue();

        storeA.set("absent", bytes("now present"));
        await().atMost(Duration.ofSeconds(5)).until(() -> "now present".equals(read(storeB, "absent")));
        assertThat(regions.counter("nearcache.invalidations", "region-b")).isGreaterThanOrEqualTo(1);
        Timer get = regions.registry.find(RedisKvMetrics.PREFIX + "op").tag("region", "region-b").tag("op", "get")
                .tag("route", "near-cache").timer();
        assertThat(get).isNotNull();
        assertThat(get.count()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void largeValuesAreReadButNotCached() {
        byte[] big = new byte[NearCache.MAX_CACHED_VALUE_BYTES + 1];
        storeA.set("big", big);
        storeA.set("small", bytes("s"));
        topology.awaitReplicasInSync();
        assertThat(storeB.get("big")).hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
        assertThat(read(storeB, "small")).isEqualTo("s");
        assertThat(regions.b.nearCacheContains("app", "default", "big")).isFalse();
        assertThat(regions.b.nearCacheContains("app", "default", "small")).isTrue();
    }

    @Test
    void batchesGoThroughTheCacheAndThePrimary() {
        storeA.setMany(Map.of("a", bytes("1"), "b", bytes("2"), "c", bytes("3")));
        topology.awaitReplicasInSync();
        assertThat(read(storeB, "a")).isEqualTo("1"); // now cached in b
        Map<String, byte[]> many = storeB.getMany(List.of("a", "b", "missing", "c", "a"));
        assertThat(many).containsOnlyKeys("a", "b", "c");
        assertThat(many.keySet()).containsExactly("a", "b", "c");
        storeA.deleteMany(List.of("a", "b"));
        assertThat(storeA.getMany(List.of("a", "b", "c"))).containsOnlyKeys("c");
        await().atMost(Duration.ofSeconds(5)).until(() -> storeB.getMany(List.of("a", "b", "c")).keySet().equals(
                java.util.Set.of("c")));
        assertThat(topology.primary().command("EXISTS", "edge:{app/default}:a", "edge:{app/default}:c")).isEqualTo("1");
    }

    @Test
    void keysUseTheDocumentedHashTaggedScheme() {
        storeA.set("user:1", bytes("x"));
        regions.a.open("my/app", "l{1}").set("k", bytes("y"));
        assertThat(topology.primary().command("GET", "edge:{app/default}:user:1")).isEqualTo("x");
        assertThat(topology.primary().command("GET", "edge:{my%2Fapp/l%7B1%7D}:k")).isEqualTo("y");
        // both keys of one store hash to the same cluster slot
        assertThat(io.lettuce.core.cluster.SlotHash.getSlot("edge:{app/default}:user:1"))
                .isEqualTo(io.lettuce.core.cluster.SlotHash.getSlot("edge:{app/default}:{anything}-else"))
                .isEqualTo(io.lettuce.core.cluster.SlotHash.getSlot("app/default"));
    }

    @Test
    void twoAppsWritingTheSameKeySeeOnlyTheirOwnValues() {
        KeyValueStore appOneInA = regions.a.open("app-one", "default");
        KeyValueStore appTwoInB = regions.b.open("app-two", "default");
        KeyValueStore appOneInB = regions.b.open("app-one", "default");
        KeyValueStore appTwoInA = regions.a.open("app-two", "default");
        appOneInA.set("shared", bytes("one"));
        appTwoInB.set("shared", bytes("two"));
        appTwoInB.increment("count", 7);
        assertThat(read(appOneInA, "shared")).isEqualTo("one");
        assertThat(read(appTwoInB, "shared")).isEqualTo("two");
        await().atMost(Duration.ofSeconds(5)).until(() -> "one".equals(read(appOneInB, "shared"))
                && "two".equals(read(appTwoInA, "shared")));
        assertThat(appOneInA.exists("count")).isFalse();
        assertThat(appOneInA.getKeys()).containsExactly("shared");
        assertThat(appTwoInA.getKeys()).containsExactlyInAnyOrder("shared", "count");
    }

    @Test
    void setWithTtlExpiresInEveryRegion() {
        RedisKeyValueStore ttlStore = (RedisKeyValueStore) storeA;
        ttlStore.setWithTtl("session", bytes("s"), Duration.ofMillis(700));
        assertThat(read(storeA, "session")).isEqualTo("s");
        await().atMost(Duration.ofSeconds(5)).until(() -> "s".equals(read(storeB, "session")));
        assertThat(topology.primary().command("PTTL", "edge:{app/default}:session")).satisfies(
                pttl -> assertThat(Long.parseLong(pttl)).isBetween(1L, 700L));
        await().atMost(Duration.ofSeconds(10)).until(() -> storeA.get("session").isEmpty()
                && storeB.get("session").isEmpty());
        assertThatThrownBy(() -> ttlStore.setWithTtl("x", bytes("x"), Duration.ZERO)).isInstanceOf(KvException.class);
    }

    @Test
    void waitForReplicasIsADurabilityLevel() {
        KvStoreConfig.Redis base = RedisTestConfigs.region("durable", topology.primary(), topology.replica(0));
        KvStoreConfig.Redis two = new KvStoreConfig.Redis(base.url(), base.replicaUrl(), "durable", 100,
                base.nearCacheMaxTtl(), base.commandTimeout(), base.atomicTimeout(), 2, Duration.ofSeconds(2));
        KvStoreConfig.Redis three = new KvStoreConfig.Redis(base.url(), base.replicaUrl(), "durable", 100,
                base.nearCacheMaxTtl(), base.commandTimeout(), base.atomicTimeout(), 3, Duration.ofMillis(200));
        try (RedisStoreBackend durable = new RedisStoreBackend(two, new SimpleMeterRegistry());
             RedisStoreBackend impossible = new RedisStoreBackend(three, new SimpleMeterRegistry())) {
            KeyValueStore store = durable.open("app", "default");
            store.set("d", bytes("1"));
            // acknowledged by both replicas: readable on each of them right away
            assertThat(topology.replica(0).command("GET", "edge:{app/default}:d")).isEqualTo("1");
            assertThat(topology.replica(1).command("GET", "edge:{app/default}:d")).isEqualTo("1");
            assertThat(store.increment("n", 2)).isEqualTo(2);
            assertThat(store.compareAndSwap("d", bytes("1"), bytes("2"))).isTrue();
            assertThat(topology.replica(0).command("GET", "edge:{app/default}:n")).isEqualTo("2");
            assertThat(topology.replica(1).command("GET", "edge:{app/default}:d")).isEqualTo("2");

            KeyValueStore strict = impossible.open("app", "default");
            assertThatThrownBy(() -> strict.set("e", bytes("1")))
                    .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.kind()).isEqualTo(KvException.Kind.OTHER))
                    .hasMessageContaining("only 2 of 3 replicas");
        }
    }

    @Test
    void unreachablePrimaryIsAClearErrorWithoutThePassword() throws Exception {
        int closedPort = dev.edge.kv.testing.RedisServerProcess.freePort();
        KvStoreConfig.Redis base = RedisTestConfigs.region("nowhere", topology.primary(), null);
        KvStoreConfig.Redis bad = new KvStoreConfig.Redis(
                java.net.URI.create("redis://edge:s3cret@127.0.0.1:" + closedPort), java.util.Optional.empty(),
                "nowhere", 10, base.nearCacheMaxTtl(), base.commandTimeout(), base.atomicTimeout(), 0, Duration.ZERO);
        assertThatThrownBy(() -> new RedisStoreBackend(bad, new SimpleMeterRegistry()))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("cannot connect to Redis primary redis://***@127.0.0.1:" + closedPort)
                .hasMessageNotContaining("s3cret");
        KvStoreConfig.Redis wrongScheme = new KvStoreConfig.Redis(java.net.URI.create("http://edge:s3cret@127.0.0.1:1"),
                java.util.Optional.empty(), "nowhere", 10, base.nearCacheMaxTtl(), base.commandTimeout(),
                base.atomicTimeout(), 0, Duration.ZERO);
        assertThatThrownBy(() -> new RedisStoreBackend(wrongScheme, new SimpleMeterRegistry()))
                .isInstanceOf(KvException.class)
                .hasMessage("invalid Redis URL http://***@127.0.0.1:1");
    }

    @Test
    void withoutAReplicaReadsAndTrackingUseThePrimary() {
        KvStoreConfig.Redis base = RedisTestConfigs.region("solo", topology.primary(), null);
        try (RedisStoreBackend solo = new RedisStoreBackend(base, new SimpleMeterRegistry())) {
            KeyValueStore store = solo.open("app", "default");
            store.set("k", bytes("1"));
            assertThat(read(store, "k")).isEqualTo("1");
            await().atMost(Duration.ofSeconds(5)).until(() -> solo.dirtyKeyCount() == 0);
            assertThat(read(store, "k")).isEqualTo("1");
            assertThat(solo.nearCacheContains("app", "default", "k")).isTrue();
            storeA.set("k", bytes("2"));
            await().atMost(Duration.ofSeconds(5)).until(() -> "2".equals(read(store, "k")));
            assertThat(read(store, "k")).isEqualTo("2");
        }
    }
}
