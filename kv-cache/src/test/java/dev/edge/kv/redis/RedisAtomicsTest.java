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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Increment and compare-and-swap from two regions against one primary. */
class RedisAtomicsTest {
    private static RedisTopology topology;
    private TwoRegions regions;
    private List<KeyValueStore> nodes;

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
        nodes = List.of(regions.a.open("app", "default"), regions.b.open("app", "default"));
    }

    @AfterEach
    void closeRegions() {
        regions.close();
    }

    @Test
    void concurrentIncrementsFromBothRegionsSumExactly() throws Exception {
        int threadsPerNode = 3;
        int perThread = 200;
        List<Long> seen = new CopyOnWriteArrayList<>();
        run(2 * threadsPerNode, id -> {
            KeyValueStore node = nodes.get(id % 2);
            for (int i = 0; i < perThread; i++) {
                seen.add(node.increment("hits", 1));
            }
        });
        long total = 2L * threadsPerNode * perThread;
        assertThat(seen).hasSize((int) total).doesNotHaveDuplicates();
        assertThat(topology.primary().command("GET", "edge:{app/default}:hits")).isEqualTo(Long.toString(total));
        assertThat(read(nodes.get(0), "hits")).isEqualTo(Long.toString(total));
        await().atMost(Duration.ofSeconds(5)).until(() -> Long.toString(total).equals(read(nodes.get(1), "hits")));
        Timer timer = regions.registry.find(RedisKvMetrics.PREFIX + "atomic").tag("region", "region-a")
                .tag("op", "increment").tag("outcome", "ok").timer();
        assertThat(timer).isNotNull();
        assertThat(timer.count()).isEqualTo(total / 2);
    }

    @Test
    void concurrentCasFromBothRegionsHasExactlyOneWinnerPerRound() throws Exception {
        int threads = 6;
        int rounds = 30;
        nodes.get(0).set("leader", bytes("round-0"));
        List<List<Integer>> winners = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            winners.add(new CopyOnWriteArrayList<>());
        }
        CyclicBarrier barrier = new CyclicBarrier(threads);
        run(threads, id -> {
            KeyValueStore node = nodes.get(id % 2);
            for (int r = 0; r < rounds; r++) {
                barrier.await(30, TimeUnit.SECONDS);
                if (node.compareAndSwap("leader", bytes("round-" + r), bytes("round-" + (r + 1)))) {
                    winners.get(r).add(id);
                }
            }
        });
        for (int r = 0; r < rounds; r++) {
            assertThat(winners.get(r)).as("winners of round %d", r).hasSize(1);
        }
        assertThat(topology.primary().command("GET", "edge:{app/default}:leader")).isEqualTo("round-" + rounds);
    }

    @Test
    void atomicsAreNeverServedStaleOnTheNodeThatRanThem() {
        KeyValueStore a = nodes.get(0);
        KeyValueStore b = nodes.get(1);
        a.set("n", bytes("5"));
        await().atMost(Duration.ofSeconds(5)).until(() -> regions.a.dirtyKeyCount() == 0 && "5".equals(read(b, "n")));
        assertThat(read(a, "n")).isEqualTo("5");
        assertThat(regions.a.nearCacheContains("app", "default", "n")).isTrue();
        assertThat(regions.b.nearCacheContains("app", "default", "n")).isTrue();

        assertThat(a.increment("n", 1)).isEqualTo(6);
        assertThat(read(a, "n")).isEqualTo("6");
        assertThat(b.compareAndSwap("n", bytes("6"), bytes("60"))).isTrue();
        assertThat(read(b, "n")).isEqualTo("60");
        await().atMost(Duration.ofSeconds(5)).until(() -> "60".equals(read(a, "n")));
        assertThat(a.compareAndSwap("n", bytes("6"), bytes("x"))).isFalse();
        assertThat(read(a, "n")).isEqualTo("60");
    }

    @Test
    void casFallsBackToEvalWhenTheScriptCacheWasFlushed() {
        KeyValueStore a = nodes.get(0);
        assertThat(a.compareAndSwap("k", null, bytes("1"))).isTrue();
        topology.primary().command("SCRIPT", "FLUSH");
        assertThat(a.compareAndSwap("k", bytes("1"), bytes("2"))).isTrue();
        assertThat(a.compareAndSwap("k", bytes("1"), bytes("3"))).isFalse();
        assertThat(read(a, "k")).isEqualTo("2");
    }

    @Test
    void timedOutIncrementFailsAndIsNeverRetried() {
        KvStoreConfig.Redis base = RedisTestConfigs.region("impatient", topology.primary(), topology.replica(0));
        KvStoreConfig.Redis impatient = new KvStoreConfig.Redis(base.url(), base.replicaUrl(), "impatient", 100,
                base.nearCacheMaxTtl(), Duration.ofSeconds(2), Duration.ofMillis(200), 0, Duration.ZERO);
        try (RedisStoreBackend backend = new RedisStoreBackend(impatient, new SimpleMeterRegistry())) {
            KeyValueStore store = backend.open("app", "default");
            store.set("once", bytes("0"));
            topology.primary().pause();
            try {
                assertThatThrownBy(() -> store.increment("once", 1))
                        .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.kind()).isEqualTo(KvException.Kind.OTHER))
                        .hasMessageContaining("outcome unknown, not retried");
            } finally {
                topology.primary().resume();
            }
            // The INCRBY was sent before the timeout and runs once the primary resumes: applied exactly once.
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(read(store, "once")));
            assertThat(store.increment("once", 0)).isEqualTo(1);
        }
    }

    @FunctionalInterface
    private interface Body {
        void run(int id) throws Exception;
    }

    private static void run(int threads, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    body.run(id);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
