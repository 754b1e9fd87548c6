package dev.edge.kv.redis;

import static dev.edge.kv.redis.TwoRegions.bytes;
import static dev.edge.kv.redis.TwoRegions.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.edge.kv.KeyValueStore;
import dev.edge.kv.testing.RedisTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes on the writing node while its regional replica lags: each replica follows the primary
 * through a stallable TCP proxy, so replication can be held back without breaking the link.
 */
class RedisReadYourWritesTest {
    private static RedisTopology topology;
    private TwoRegions regions;
    private KeyValueStore storeA;
    private KeyValueStore storeB;

    @BeforeAll
    static void startRedis() {
        topology = RedisTopology.primaryWithProxiedReplicas(2);
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
        topology.proxy(0).resume();
        regions.close();
    }

    @Test
    void writerReadsItsOwnWritesWhileItsReplicaIsStalled() {
        storeA.set("k", bytes("v1"));
        storeA.set("gone", bytes("here"));
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.a.dirtyKeyCount() == 0);
        assertThat(read(storeA, "k")).isEqualTo("v1");
        assertThat(read(storeA, "gone")).isEqualTo("here");
        assertThat(regions.a.nearCacheContains("app", "default", "k")).as("cached before the write").isTrue();

        topology.proxy(0).stall();
        storeA.set("k", bytes("v2"));
        storeA.delete("gone");
        storeA.set("fresh", bytes("new"));
        // the lag is real: replica 0 has not applied the writes
        assertThat(topology.replica(0).command("GET", "edge:{app/default}:k")).isEqualTo("v1");
        assertThat(topology.replica(0).command("GET", "edge:{app/default}:fresh")).isNull();

        assertThat(read(storeA, "k")).isEqualTo("v2");
        assertThat(storeA.get("gone")).isEmpty();
        assertThat(storeA.exists("fresh")).isTrue();
        assertThat(storeA.getMany(List.of("k", "gone", "fresh")).keySet()).containsExactly("k", "fresh");
        assertThat(storeA.getKeys()).containsExactlyInAnyOrder("k", "fresh");
        assertThat(regions.a.dirtyKeyCount()).isEqualTo(3);
        // the other region's replica is not stalled
        await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(read(storeB, "k")));

        topology.proxy(0).resume();
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.a.dirtyKeyCount() == 0);
        assertThat(read(storeA, "k")).isEqualTo("v2");
        assertThat(regions.a.nearCacheContains("app", "default", "k")).as("cached again after catch-up").isTrue();
        assertThat(read(storeA, "k")).isEqualTo("v2");
        assertThat(storeA.get("gone")).isEmpty();
    }

    @Test
    void concurrentWritersAlwaysReadTheirLatestWriteWhileReplicationStutters() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Thread stutter = new Thread(() -> {
            while (running.get()) {
                topology.proxy(0).stall();
                pause(40);
                topology.proxy(0).resume();
                pause(15);
            }
        });
        stutter.start();
        List<String> violations = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                tasks.add(pool.submit(() -> {
                    for (int i = 0; i < 150; i++) {
                        String key = "t" + id + "-" + (i % 5);
                        String value = "v" + i;
                        storeA.set(key, bytes(value));
                        String got = read(storeA, key);
                        if (!value.equals(got)) {
                            violations.add(key + ": wrote " + value + ", read " + got);
                        }
                        String batch = TwoRegions.text(java.util.Optional.ofNullable(
                                storeA.getMany(List.of(key)).get(key)));
                        if (!value.equals(batch)) {
                            violations.add(key + ": wrote " + value + ", getMany " + batch);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get(60, TimeUnit.SECONDS);
            }
        } finally {
            running.set(false);
            stutter.join();
            pool.shutdownNow();
        }
        assertThat(violations).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.a.dirtyKeyCount() == 0);
        for (int t = 0; t < 4; t++) {
            for (int k = 0; k < 5; k++) {
                String key = "t" + t + "-" + k;
                assertThat(read(storeA, key)).isEqualTo(topology.primary().command("GET", "edge:{app/default}:" + key));
            }
        }
    }

    @Test
    void pausedReplicaNeitherHangsReadsNorHidesOwnWrites() {
        storeA.set("cold", bytes("c"));
        topology.awaitReplicasInSync();
        topology.replica(0).pause();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                storeA.set("mine", bytes("m"));
                assertThat(read(storeA, "mine")).isEqualTo("m");
                // not cached, not dirty: the replica read times out and falls back to the primary
                assertThat(read(storeA, "cold")).isEqualTo("c");
            });
            // the unanswered probe takes the tracking connection down: reads go to the primary directly
            await().atMost(Duration.ofSeconds(10)).until(() -> !regions.a.trackingArmed());
            assertThat(regions.a.nearCacheSize()).isZero();
            assertTimeoutPreemptively(Duration.ofSeconds(3), () -> assertThat(read(storeA, "cold")).isEqualTo("c"));
        } finally {
            topology.replica(0).resume();
        }
        await().atMost(Duration.ofSeconds(15)).until(regions.a::trackingArmed);
        storeB.set("cold", bytes("c2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> "c2".equals(read(storeA, "cold")));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
