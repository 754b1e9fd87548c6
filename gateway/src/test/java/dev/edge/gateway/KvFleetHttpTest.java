package dev.edge.gateway;

import static dev.edge.gateway.KvFleet.person;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.kv.testing.RedisTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tutorial app on two gateway nodes over one Redis primary with two replicas, driven over HTTP:
 * "region-a" reads replica 0, "region-b" reads replica 1, both write to the primary. Every replica links
 * to the primary through a stallable proxy, so a region's replica can be made to lag.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvFleetHttpTest {
    private static final Logger LOG = LoggerFactory.getLogger(KvFleetHttpTest.class);
    private static final String APP = "hello-key-value-store";

    private RedisTopology topology;
    private KvFleet fleet;
    private KvFleet.Node a;
    private KvFleet.Node b;

    @BeforeAll
    void startFleet(@TempDir Path temp) throws Exception {
        topology = RedisTopology.primaryWithProxiedReplicas(2);
        fleet = new KvFleet(temp);
        List<KvFleet.Node> nodes = fleet.startTwoRegions(APP, KvFleet.TUTORIAL_WASM, topology);
        a = nodes.get(0);
        b = nodes.get(1);
    }

    @AfterAll
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    /**
     * A write acknowledged on one node becomes visible on the other, also when the other node holds the
     * previous value in its near-cache (the invalidation must arrive). Latencies are logged, not asserted.
     */
    @Test
    void aWriteOnOneNodeBecomesVisibleOnTheOther() {
        int rounds = 150;
        long[] cold = new long[rounds];
        long[] hot = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            KvFleet.Node writer = i % 2 == 0 ? a : b;
            KvFleet.Node reader = i % 2 == 0 ? b : a;
            String key = "visible-" + i;
            // Cold: the reader never read the key.
            cold[i] = writeThenAwaitOn(writer, reader, key, person("Ada", "v1"));
            // Hot: the reader now holds v1 in its near-cache; v2 must displace it.
            assertThat(reader.getPerson(key)).isEqualTo(person("Ada", "v1"));
            hot[i] = writeThenAwaitOn(writer, reader, key, person("Ada", "v2"));
        }
        LOG.info("cross-node visibility over HTTP, key not cached on the reader: {}", Latencies.summary(cold));
        LOG.info("cross-node visibility over HTTP, reader holds the old value:   {}", Latencies.summary(hot));
    }

    /** Nanoseconds from the write's acknowledgement until the reader answers the new value. */
    private static long writeThenAwaitOn(KvFleet.Node writer, KvFleet.Node reader, String key, String json) {
        assertThat(writer.post("/set/" + key, json).statusCode()).isEqualTo(200);
        long acknowledged = System.nanoTime();
        long deadline = acknowledged + TimeUnit.SECONDS.toNanos(10);
        while (!json.equals(reader.getPerson(key))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(reader + " still does not see " + json + " at " + key + " 10 s after "
                        + writer + " acknowledged it; it reads " + reader.getPerson(key));
            }
            Thread.onSpinWait();
        }
        return System.nanoTime() - acknowledged;
    }

    /**
     * Writers and readers on both nodes hammer a few keys for a few seconds. During the storm every value
     * read must be one some writer sent; after quiescence both nodes must answer the primary's value for
     * every key (an entry that stays stale would survive until the 30 s TTL backstop and fail this).
     */
    @Test
    void noKeyStaysStaleAfterAnHttpStorm() throws Exception {
        int keys = 12;
        Duration storm = Duration.ofSeconds(3);
        Map<String, Set<String>> attempted = new ConcurrentHashMap<>();
        Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
        for (int k = 0; k < keys; k++) {
            attempted.put(stormKey(k), ConcurrentHashMap.newKeySet());
            acknowledged.put(stormKey(k), ConcurrentHashMap.newKeySet());
        }
        List<String> phantoms = new CopyOnWriteArrayList<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Future<?>> tasks = new ArrayList<>();
        try {
            for (KvFleet.Node node : List.of(a, b)) {
                for (int w = 0; w < 2; w++) {
                    String writer = node.region + "-w" + w;
                    tasks.add(pool.submit(() -> {
                        long seq = 0;
                        while (running.get()) {
                            String key = stormKey(ThreadLocalRandom.current().nextInt(keys));
                            String json = person(writer, Long.toString(seq++));
                            attempted.get(key).add(json); // before sending: a reader may see it right after
                            int status = node.post("/set/" + key, json).statusCode();
                            if (status == 200) {
                                acknowledged.get(key).add(json);
                                writes.incrementAndGet();
                            } else {
                                failures.add(writer + " POST " + key + " -> " + status);
                            }
                        }
                    }));
                }
                for (int r = 0; r < 4; r++) {
                    tasks.add(pool.submit(() -> {
                        while (running.get()) {
                            String key = stormKey(ThreadLocalRandom.current().nextInt(keys));
                            String seen = node.getPerson(key);
                            reads.incrementAndGet();
                            if (seen != null && !attempted.get(key).contains(seen)) {
                                phantoms.add(node.region + " read " + seen + " at " + key);
                            }
                        }
                    }));
                }
            }
            Thread.sleep(storm.toMillis()); // the storm's duration, not a synchronisation
            running.set(false);
            for (Future<?> task : tasks) {
                task.get(30, TimeUnit.SECONDS); // rethrows a reader's or writer's failure
            }
        } finally {
            running.set(false);
            pool.shutdownNow();
        }
        LOG.info("HTTP storm: {} acknowledged writes, {} reads in {} s over both nodes", writes.get(), reads.get(),
                storm.toSeconds());
        assertThat(writes.get()).as("writes during the storm").isGreaterThan(keys);
        assertThat(failures).isEmpty();
        assertThat(phantoms).as("values read that no writer ever sent").isEmpty();

        // Quiescence: the replicas catch up, invalidations land; then nothing may differ from the primary.
        topology.awaitReplicasInSync();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(staleEntries(keys, acknowledged)).isEmpty());
    }

    /** Keys whose value on a node differs from the primary's (which must be an acknowledged write). */
    private Map<String, String> staleEntries(int keys, Map<String, Set<String>> acknowledged) {
        Map<String, String> stale = new TreeMap<>();
        for (int k = 0; k < keys; k++) {
            String key = stormKey(k);
            String primary = topology.primary().command("GET", KvFleet.redisKey(APP, key));
            if (primary == null || !acknowledged.get(key).contains(primary)) {
                stale.put(key + "@primary", String.valueOf(primary));
            }
            for (KvFleet.Node node : List.of(a, b)) {
                String seen = node.getPerson(key);
                if (!java.util.Objects.equals(seen, primary)) {
                    stale.put(key + "@" + node.region, seen + " (primary has " + primary + ")");
                }
            }
        }
        return stale;
    }

    private static String stormKey(int k) {
        return "storm-" + k;
    }

    /**
     * While region-a's replica is cut off from replication (it keeps answering, with old data), a POST then
     * GET on region-a still returns the new value: the written key is read from the primary until the
     * replica has caught up. Also for a key region-a had cached before the write.
     */
    @Test
    void readYourWritesOnTheWritingNodeWhileItsReplicaLags() {
        String cached = "ryw-cached";
        assertThat(a.setPerson(cached, "Old", "Value")).isEqualTo(200);
        topology.awaitReplicasInSync();
        assertThat(a.getPerson(cached)).isEqualTo(person("Old", "Value")); // cached by region-a once its dirty mark clears

        topology.proxy(0).stall();
        try {
            for (int i = 0; i < 20; i++) {
                String json = person("New", Integer.toString(i));
                assertThat(a.post("/set/" + cached, json).statusCode()).isEqualTo(200);
                assertThat(a.getPerson(cached)).as("GET right after POST on the same node").isEqualTo(json);

                String fresh = "ryw-" + i;
                assertThat(a.post("/set/" + fresh, json).statusCode()).isEqualTo(200);
                assertThat(a.getPerson(fresh)).isEqualTo(json);
            }
            // The premise: region-a's replica really is behind (it would have answered the old values).
            assertThat(topology.replica(0).command("GET", KvFleet.redisKey(APP, cached)))
                    .isEqualTo(person("Old", "Value"));
            assertThat(topology.replica(0).command("GET", KvFleet.redisKey(APP, "ryw-0"))).isNull();
        } finally {
            topology.proxy(0).resume();
        }
        topology.awaitReplicasInSync();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.getPerson(cached)).isEqualTo(person("New", "19"));
            assertThat(b.getPerson(cached)).isEqualTo(person("New", "19"));
        });
    }
}
