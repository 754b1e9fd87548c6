package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.kv.testing.RedisServerProcess;
import dev.edge.kv.testing.SentinelTopology;
import dev.edge.kv.testing.WriteHistory;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
            assertThat(TutorialLoad.set(CLIENT, listen, "static" + i, "s" + i)).isEqualTo(200);
        }
        for (int i = 0; i < STATIC_KEYS; i++) { // served (and, once settled, cached)
            assertThat(TutorialLoad.get(CLIENT, listen, "static" + i).statusCode()).isEqualTo(200);
        }
        // Warm-up at the test's concurrency, so that lazily started pools (HTTP client, Undertow workers,
        // guest executors) are part of the thread baseline.
        TutorialLoad warmUp = TutorialLoad.start(CLIENT, listen, HISTORY, WRITERS, KEYS_PER_WRITER, STATIC_KEYS);
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
        Set<String> threadsBefore = TutorialLoad.liveThreads();
        TutorialLoad load = TutorialLoad.start(CLIENT, listen, HISTORY, WRITERS, KEYS_PER_WRITER, STATIC_KEYS);
        pause(700);
        RedisServerProcess replica = topology.regionalReplica();
        replica.kill();
        TutorialLoad.Phase fault = load.phase();
        pause(1500);
        java.util.Map<String, Long> duringFault = fault.end();
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
                + "acknowledged writes lost=0; stale entries=0", duringFault, recoveryMillis);
    }

    @Test
    @Order(2)
    void primaryKilledMidLoadWritesAnswer503UntilFailoverThen200() throws Exception {
        Set<String> threadsBefore = TutorialLoad.liveThreads();
        TutorialLoad load = TutorialLoad.start(CLIENT, listen, HISTORY, WRITERS, KEYS_PER_WRITER, STATIC_KEYS);
        pause(700);
        RedisServerProcess primary = topology.currentPrimary();
        load.markKilled();
        primary.kill();
        TutorialLoad.Phase fault = load.phase();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(load::writesResumed);
        java.util.Map<String, Long> duringFault = fault.end();
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
        List<String> violations = HISTORY.violations(key -> TutorialLoad.firstName(primary.command("GET", "edge:{hello-key-value-store/default}:" + key)));
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
                HttpResponse<String> r = TutorialLoad.get(CLIENT, listen, key);
                String served = r.statusCode() == 200 ? r.body() : r.statusCode() == 404 ? null : "status " + r.statusCode();
                if (!Objects.equals(served, truth)) {
                    stale.add(key + ": gateway " + served + ", primary " + truth);
                }
            }
            assertThat(stale).as("stale entries after recovery").isEmpty();
        });
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    Set<String> now = TutorialLoad.liveThreads();
                    Set<String> added = new java.util.TreeSet<>(now);
                    added.removeAll(threadsBefore);
                    assertThat(now.size()).as("live threads (before %d; new: %s)", threadsBefore.size(), added)
                            .isLessThanOrEqualTo(threadsBefore.size() + THREAD_TOLERANCE);
                });
        LOG.info("RELIABILITY live threads before the fault {}, after recovery {}", threadsBefore.size(), TutorialLoad.liveThreads().size());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
