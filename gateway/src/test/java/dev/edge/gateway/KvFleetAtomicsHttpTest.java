package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.kv.testing.RedisTopology;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atomics at the node level: the kv_atomics test guest (gateway/src/test/guests/kv_atomics.c) on two
 * gateway nodes in two regions over one Redis primary, its increments and compare-and-swaps sent over HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvFleetAtomicsHttpTest {
    private static final Logger LOG = LoggerFactory.getLogger(KvFleetAtomicsHttpTest.class);
    private static final String APP = "kv-atomics";

    private RedisTopology topology;
    private KvFleet fleet;
    private List<KvFleet.Node> nodes;
    private ExecutorService pool;

    @BeforeAll
    void startFleet(@TempDir Path temp) throws Exception {
        topology = RedisTopology.primaryWithReplicas(2);
        fleet = new KvFleet(temp);
        nodes = fleet.startTwoRegions(APP, KvFleet.ATOMICS_WASM, topology);
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterAll
    void stopFleet() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (fleet != null) {
            fleet.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    /** Concurrent increments through both nodes: every one counted once, each new value handed out once. */
    @Test
    void concurrentIncrementsFromBothNodesSumExactly() throws Exception {
        int threads = 8;
        int perThread = 30;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            KvFleet.Node node = nodes.get(t % 2);
            results.add(pool.submit(() -> {
                start.await();
                List<Long> seen = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    HttpResponse<String> response = node.post("/incr/hits", "");
                    assertThat(response.statusCode()).as("%s: %s", node, response.body()).isEqualTo(200);
                    seen.add(Long.parseLong(response.body()));
                }
                return seen;
            }));
        }
        start.countDown();
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> result : results) {
            all.addAll(result.get(60, TimeUnit.SECONDS));
        }
        long total = (long) threads * perThread;
        // INCRBY hands every caller a distinct new value: exactly 1..total, none lost, none doubled.
        assertThat(all).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(topology.primary().command("GET", KvFleet.redisKey(APP, "hits"))).isEqualTo(Long.toString(total));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (KvFleet.Node node : nodes) {
                assertThat(node.get("/raw/hits").body()).as(node.toString()).isEqualTo(Long.toString(total));
            }
        });

        // A delta other than 1, from each node in turn.
        assertThat(nodes.get(0).post("/incr/hits?by=-" + total, "").body()).isEqualTo("0");
        assertThat(nodes.get(1).post("/incr/hits?by=5", "").body()).isEqualTo("5");
    }

    /**
     * Rounds of compare-and-swap races: once both nodes read "round-r", six contenders (three per node)
     * try to swap it to "round-(r+1)" at the same moment. Exactly one may win each round.
     */
    @Test
    void concurrentCompareAndSwapHasExactlyOneWinnerPerRound() throws Exception {
        String key = "leader";
        assertThat(nodes.get(0).post("/cas/" + key, "round-0").body()).isEqualTo("swapped"); // absent -> created
        assertThat(nodes.get(1).post("/cas/" + key, "round-x").statusCode())
                .as("a create-if-absent on a present key").isEqualTo(409);
        int rounds = 15;
        int contenders = 6;
        Map<String, Integer> losses = new ConcurrentHashMap<>();
        for (int r = 0; r < rounds; r++) {
            String current = "round-" + r;
            String next = "round-" + (r + 1);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
                for (KvFleet.Node node : nodes) {
                    assertThat(node.get("/raw/" + key).body()).as(node.toString()).isEqualTo(current);
                }
            });
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> attempts = new ArrayList<>();
            for (int c = 0; c < contenders; c++) {
                KvFleet.Node node = nodes.get(c % 2);
                Callable<HttpResponse<String>> attempt = () -> {
                    start.await();
                    return node.post("/cas/" + key + "?expect=" + current, next);
                };
                attempts.add(pool.submit(attempt));
            }
            start.countDown();
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> attempt : attempts) {
                responses.add(attempt.get(30, TimeUnit.SECONDS));
            }
            Map<Integer, Long> byStatus = responses.stream()
                    .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
            assertThat(byStatus).as("round %d: statuses %s", r, responses.stream().map(HttpResponse::body).toList())
                    .containsEntry(200, 1L).containsEntry(409, (long) contenders - 1);
            responses.stream().filter(x -> x.statusCode() == 409).forEach(x -> losses.merge(x.body(), 1, Integer::sum));
        }
        assertThat(topology.primary().command("GET", KvFleet.redisKey(APP, key))).isEqualTo("round-" + rounds);
        // "cas-failed": the loser read the old value too and was stopped by the swap itself (the atomic part);
        // "mismatch": it read the winner's value already.
        LOG.info("compare-and-swap losers over {} rounds: {}", rounds, losses);
    }
}
