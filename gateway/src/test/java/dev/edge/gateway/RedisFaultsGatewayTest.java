package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.kv.testing.RedisServerProcess;
import dev.edge.kv.testing.SentinelTopology;
import dev.edge.kv.testing.WriteHistory;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway (EdgeApp + the tutorial app) over a real Sentinel-managed Redis topology, under real faults
 * injected mid-load: the regional replica killed and restarted, then the primary killed (failover).
 * A real HTTP client drives writes (POST /set) and reads (GET /get); every write answered 200 is logged and
 * checked after recovery. Figures are logged as "RELIABILITY ..." lines (docs/reliability.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisFaultsGatewayTest {
    private static final Logger LOG = LoggerFactory.getLogger(RedisFaultsGatewayTest.class);
    private static final Path MANIFEST = Path.of("../examples/hello-key-value-store/spin.toml").toAbsolutePath().normalize();
    private static final int WRITERS = 3;
    private static final int KEYS_PER_WRITER = 4;
    private static final int STATIC_KEYS = 8;
    private static final int THREAD_TOLERANCE = 8;

    @TempDir
    static Path temp;

    private static SentinelTopology topology;
    private static EdgeApp app;
    private static ListenAddress listen;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final WriteHistory HISTORY = new WriteHistory();

    @BeforeAll
    static void start() throws Exception {
        topology = SentinelTopology.start();
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "redis"
                url = "%s"
                replica_url = "%s"
                region = "eu"
                command_timeout = "500ms"
                atomic_timeout = "500ms"
                wait_replicas = 1
                wait_timeout = "200ms"

                [key_value_limits]
                read_rps = 0
                write_rps = 0
                """.formatted(topology.sentinelUrl(), topology.regionalReplica().uri()));
        listen = new ListenAddress("127.0.0.1", FreePort.next());
        app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, temp.resolve("state"), runtimeConfig, null, List.of()));
        for (int i = 0; i < STATIC_KEYS; i++) {
            assertThat(set("static" + i, "s" + i)).isEqualTo(200);
        }
        for (int i = 0; i < STATIC_KEYS; i++) { // served (and, once settled, cached)
            assertThat(get("static" + i).statusCode()).isEqualTo(200);
        }
        // Warm-up at the test's concurrency, so that lazily started pools (HTTP client, Undertow workers,
        // guest executors) are part of the thread baseline.
        Load warmUp = Load.start();
        pause(1000);
        warmUp.stop();
        assertThat(warmUp.unexpected()).isEmpty();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    @Order(1)
    void replicaKilledMidLoadReadsAndWritesKeepAnswering200() throws Exception {
        Set<String> threadsBefore = liveThreads();
        Load load = Load.start();
        pause(700);
        RedisServerProcess replica = topology.regionalReplica();
        long killed = System.nanoTime();
        replica.kill();
        Load.Phase fault = load.phase();
        pause(1500);
        Map<String, Long> duringFault = fault.end();
        long restarted = System.nanoTime();
        replica.restartWith("--replicaof", "127.0.0.1", Integer.toString(topology.currentPrimary().port()),
                "--repl-ping-replica-period", "1");
        topology.awaitReplicasInSync();
        // Tracking is back on the replica once it holds the edge tracking connection again.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> replica.command("CLIENT", "LIST").contains("name=edge-kv-tracking-eu"));
        long recoveryMillis = (System.nanoTime() - restarted) / 1_000_000;
        pause(300);
        load.stop();

        assertThat(duringFault).as("statuses while the replica is down (kind:status -> count)")
                .containsOnlyKeys("write:200", "read:200");
        assertThat(load.unexpected()).isEmpty();
        assertRecovered(threadsBefore);
        LOG.info("RELIABILITY gateway replica-killed: during 1.5 s of fault {}; back on the replica {} ms after restart; "
                + "acknowledged writes lost=0; stale entries=0; killed {} ms before the window started", duringFault,
                recoveryMillis, (fault.startNanos - killed) / 1_000_000);
    }

    @Test
    @Order(2)
    void primaryKilledMidLoadWritesAnswer503UntilFailoverThen200() throws Exception {
        Set<String> threadsBefore = liveThreads();
        Load load = Load.start();
        pause(700);
        RedisServerProcess primary = topology.currentPrimary();
        load.markKilled();
        primary.kill();
        Load.Phase fault = load.phase();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(load::writesResumed);
        Map<String, Long> duringFault = fault.end();
        pause(700);
        load.stop();

        assertThat(topology.currentPrimary()).isNotSameAs(primary);
        assertThat(duringFault.keySet()).as("statuses while the primary is down (kind:status -> count)")
                .contains("write:503", "read:200").allMatch(k -> k.equals("write:503") || k.endsWith(":200"));
        assertThat(load.unexpected()).isEmpty();
        assertRecovered(threadsBefore);
        LOG.info("RELIABILITY gateway primary-killed (Sentinel failover): during the fault {}; unavailability window {} ms "
                        + "(first 503 to first 200 write); 503 answered in median {} ms once failing fast; acknowledged "
                        + "writes lost=0; stale entries=0", duringFault, load.windowMillis(), load.median503Millis());
    }

    /** History check, stale check against the current primary, and a stable thread count. */
    private void assertRecovered(Set<String> threadsBefore) throws Exception {
        topology.awaitReplicasInSync();
        RedisServerProcess primary = topology.currentPrimary();
        List<String> violations = HISTORY.violations(key -> firstName(primary.command("GET", "edge:{hello-key-value-store/default}:" + key)));
        assertThat(violations).as("acknowledged writes lost").isEmpty();
        // Through the gateway (near-cache, replica, read-your-writes) every key equals the primary's value.
        List<String> keys = new ArrayList<>(HISTORY.keys());
        for (int i = 0; i < STATIC_KEYS; i++) {
            keys.add("static" + i);
        }
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            List<String> stale = new ArrayList<>();
            for (String key : keys) {
                String truth = primary.command("GET", "edge:{hello-key-value-store/default}:" + key);
                HttpResponse<String> r = get(key);
                String served = r.statusCode() == 200 ? r.body() : r.statusCode() == 404 ? null : "status " + r.statusCode();
                if (!Objects.equals(served, truth)) {
                    stale.add(key + ": gateway " + served + ", primary " + truth);
                }
            }
            assertThat(stale).as("stale entries after recovery").isEmpty();
        });
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    Set<String> now = liveThreads();
                    Set<String> added = new java.util.TreeSet<>(now);
                    added.removeAll(threadsBefore);
                    assertThat(now.size()).as("live threads (before %d; new: %s)", threadsBefore.size(), added)
                            .isLessThanOrEqualTo(threadsBefore.size() + THREAD_TOLERANCE);
                });
        LOG.info("RELIABILITY live threads before the fault {}, after recovery {}", threadsBefore.size(), liveThreads().size());
    }

    /** The mid-load traffic: writers own their keys (a sequence per key), a reader reads the static keys. */
    private static final class Load {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
        private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong firstFailed = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong firstOkAfterFailure = new AtomicLong(Long.MAX_VALUE);
        private final List<Long> latencies503 = java.util.Collections.synchronizedList(new ArrayList<>());
        private static int runs;
        private final int run = runs++;

        static Load start() {
            Load load = new Load();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                load.threads.add(start("load-writer-" + w, () -> load.write(writer)));
            }
            load.threads.add(start("load-reader", load::read));
            return load;
        }

        private static Thread start(String name, Runnable body) {
            Thread t = new Thread(body, name);
            t.start();
            return t;
        }

        private void write(int writer) {
            long seq = 0;
            while (running.get()) {
                String key = "w" + writer + "-" + (seq % KEYS_PER_WRITER);
                String value = "r" + run + "v" + seq++;
                long start = System.nanoTime();
                int status;
                try {
                    status = set(key, value);
                } catch (Exception e) {
                    unexpected.add("write " + key + ": " + e);
                    HISTORY.record(key, value, WriteHistory.Outcome.UNKNOWN);
                    continue;
                }
                long now = System.nanoTime();
                count("write:" + status);
                if (status == 200) {
                    HISTORY.record(key, value, WriteHistory.Outcome.ACKNOWLEDGED);
                    if (firstFailed.get() != Long.MAX_VALUE) {
                        firstOkAfterFailure.compareAndSet(Long.MAX_VALUE, now);
                    }
                } else {
                    HISTORY.record(key, value, WriteHistory.Outcome.UNKNOWN); // 503: maybe sent, maybe not
                    if (status == 503) {
                        if (now > killedAt.get()) {
                            firstFailed.compareAndSet(Long.MAX_VALUE, now);
                        }
                        latencies503.add(now - start);
                    } else {
                        unexpected.add("write " + key + ": status " + status);
                    }
                }
                pause(3);
            }
        }

        private void read() {
            int i = 0;
            while (running.get()) {
                String key = "static" + (i++ % STATIC_KEYS);
                try {
                    HttpResponse<String> r = get(key);
                    count("read:" + r.statusCode());
                    String expected = "{\"firstName\":\"s" + key.substring(6) + "\",\"lastName\":\"x\"}";
                    if (r.statusCode() != 200 || !r.body().equals(expected)) {
                        unexpected.add("read " + key + ": " + r.statusCode() + " " + r.body());
                    }
                } catch (Exception e) {
                    unexpected.add("read " + key + ": " + e);
                }
                pause(3);
            }
        }

        private void count(String kindStatus) {
            statuses.computeIfAbsent(kindStatus, k -> new LongAdder()).increment();
        }

        void markKilled() { killedAt.set(System.nanoTime()); }

        boolean writesResumed() { return firstOkAfterFailure.get() != Long.MAX_VALUE; }

        long windowMillis() { return (firstOkAfterFailure.get() - firstFailed.get()) / 1_000_000; }

        long median503Millis() {
            List<Long> sorted;
            synchronized (latencies503) {
                sorted = new ArrayList<>(latencies503);
            }
            sorted.sort(null);
            return sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2) / 1_000_000;
        }

        List<String> unexpected() { return List.copyOf(unexpected); }

        /** Counts from now until {@link Phase#end()}. */
        Phase phase() {
            return new Phase(this, snapshot(), System.nanoTime());
        }

        Map<String, Long> snapshot() {
            Map<String, Long> copy = new java.util.TreeMap<>();
            statuses.forEach((k, v) -> copy.put(k, v.sum()));
            return copy;
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }

        record Phase(Load load, Map<String, Long> before, long startNanos) {
            Map<String, Long> end() {
                Map<String, Long> delta = new java.util.TreeMap<>();
                load.snapshot().forEach((k, v) -> {
                    long d = v - before.getOrDefault(k, 0L);
                    if (d > 0) {
                        delta.put(k, d);
                    }
                });
                return delta;
            }
        }
    }

    private static int set(String key, String firstName) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + "/set/" + key))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"firstName\": \"" + firstName + "\", \"lastName\": \"x\"}"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HttpResponse<String> get(String key) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + "/get/" + key))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The firstName of a stored tutorial value (the writers' sequence value), or null. */
    private static String firstName(String storedJson) {
        if (storedJson == null) {
            return null;
        }
        int start = storedJson.indexOf("\"firstName\":\"") + 13;
        return storedJson.substring(start, storedJson.indexOf('"', start));
    }

    /** Names (with ids, so that equal names count apart) of the live threads. */
    private static Set<String> liveThreads() {
        Set<String> names = new java.util.TreeSet<>();
        for (java.lang.management.ThreadInfo t : ManagementFactory.getThreadMXBean()
                .getThreadInfo(ManagementFactory.getThreadMXBean().getAllThreadIds())) {
            if (t != null) {
                names.add(t.getThreadName() + "#" + t.getThreadId());
            }
        }
        return names;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
