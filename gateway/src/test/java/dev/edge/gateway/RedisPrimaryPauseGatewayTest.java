package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static dev.edge.gateway.TutorialLoad.pause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.kv.testing.RedisTopology;
import dev.edge.kv.testing.WriteHistory;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway with a plain (no Sentinel) primary + regional replica, the primary hung by SIGSTOP mid-load:
 * writes answer 503 (first after the command timeout, then at once while the breaker is open), reads of
 * existing keys answer 200; after SIGCONT writes answer 200 again, no acknowledged write is lost and
 * nothing stale is served. Figures are logged as "RELIABILITY ..." lines (docs/reliability.md).
 */
class RedisPrimaryPauseGatewayTest {
    private static final Logger LOG = LoggerFactory.getLogger(RedisPrimaryPauseGatewayTest.class);
    private static final Path MANIFEST = Path.of("../examples/hello-key-value-store/spin.toml").toAbsolutePath().normalize();
    private static final int WRITERS = 3;
    private static final int KEYS_PER_WRITER = 4;
    private static final int STATIC_KEYS = 8;
    private static final int THREAD_TOLERANCE = 8;

    @TempDir
    Path temp;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final WriteHistory history = new WriteHistory();

    @Test
    void hungPrimaryWritesAnswer503FastReadsAnswer200AndEverythingRecovers() throws Exception {
        try (RedisTopology topology = RedisTopology.primaryWithReplicas(1)) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.default]
                    type = "redis"
                    url = "%s"
                    replica_url = "%s"
                    region = "eu"
                    command_timeout = "500ms"
                    atomic_timeout = "500ms"

                    [key_value_limits]
                    read_rps = 0
                    write_rps = 0
                    """.formatted(topology.primary().uri(), topology.replica(0).uri()));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, temp.resolve("state"), runtimeConfig,
                    null, List.of()))) {
                for (int i = 0; i < STATIC_KEYS; i++) {
                    assertThat(TutorialLoad.set(client, listen, "static" + i, "s" + i)).isEqualTo(200);
                }
                TutorialLoad warmUp = TutorialLoad.start(client, listen, history, WRITERS, KEYS_PER_WRITER, STATIC_KEYS);
                pause(1000);
                warmUp.stop();
                assertThat(warmUp.unexpected()).isEmpty();
                Set<String> threadsBefore = TutorialLoad.liveThreads();

                TutorialLoad load = TutorialLoad.start(client, listen, history, WRITERS, KEYS_PER_WRITER, STATIC_KEYS);
                pause(500);
                load.markKilled();
                topology.primary().pause();
                TutorialLoad.Phase fault = load.phase();
                pause(2500);
                Map<String, Long> duringFault = fault.end();
                long median503 = load.median503Millis();
                topology.primary().resume();
                long resumed = System.nanoTime();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(load::writesResumed);
                long recoveryMillis = (System.nanoTime() - resumed) / 1_000_000;
                pause(500);
                load.stop();

                assertThat(duringFault.keySet()).as("statuses while the primary is hung (kind:status -> count)")
                        .contains("write:503", "read:200").allMatch(k -> k.equals("write:503") || k.equals("read:200"));
                assertThat(load.unexpected()).isEmpty();
                topology.awaitReplicasInSync();
                List<String> lost = history.violations(key ->
                        TutorialLoad.firstName(topology.primary().command("GET", "edge:{hello-key-value-store/default}:" + key)));
                assertThat(lost).as("acknowledged writes lost").isEmpty();
                List<String> keys = new ArrayList<>(history.keys());
                for (int i = 0; i < STATIC_KEYS; i++) {
                    keys.add("static" + i);
                }
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    List<String> stale = new ArrayList<>();
                    for (String key : keys) {
                        String truth = topology.primary().command("GET", "edge:{hello-key-value-store/default}:" + key);
                        HttpResponse<String> r = TutorialLoad.get(client, listen, key);
                        String served = r.statusCode() == 200 ? r.body() : r.statusCode() == 404 ? null : "status " + r.statusCode();
                        if (!Objects.equals(served, truth)) {
                            stale.add(key + ": gateway " + served + ", primary " + truth);
                        }
                    }
                    assertThat(stale).as("stale entries after recovery").isEmpty();
                });
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                        assertThat(TutorialLoad.liveThreads().size()).as("live threads")
                                .isLessThanOrEqualTo(threadsBefore.size() + THREAD_TOLERANCE));
                LOG.info("RELIABILITY gateway primary-paused (no Sentinel): during 2.5 s of fault {}; 503 answered in median "
                                + "{} ms; writes answered 200 again {} ms after SIGCONT; acknowledged writes lost=0; stale "
                                + "entries=0; live threads before {} after {}", duringFault, median503, recoveryMillis,
                        threadsBefore.size(), TutorialLoad.liveThreads().size());
            }
        }
    }
}
