package dev.edge.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import dev.edge.loadtest.fixtures.LoopbackFixtures;
import dev.edge.loadtest.fixtures.Percentiles;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two regions on loopback: a Redis primary with one replica per region, and one edge node per region running
 * the tutorial app on its regional replica (near-cache on). Each virtual user writes a fresh key on node A,
 * then polls node B until B answers the new value, at most {@code boundMs}; a write B has not shown by then
 * fails the request "B shows the write within bound". Staleness (A's 200 to B's first answer with the value,
 * so an upper bound: it includes B's response time and the poll interval) is summarised at the end and written
 * to {@code target/gatling/two-region-staleness.txt}.
 * <pre>
 * ./mvnw -pl loadtest gatling:test -Dgatling.simulationClass=dev.edge.loadtest.TwoRegionSimulation -Dwrites=40 -Dseconds=15
 * </pre>
 * Bounded: {@code writes} per second for {@code seconds}; every process is on loopback and stopped at the end.
 */
public class TwoRegionSimulation extends Simulation {
    private static final int WRITES = Integer.getInteger("writes", 40);
    private static final int SECONDS = Integer.getInteger("seconds", 15);
    private static final long BOUND_MS = Long.getLong("boundMs", 1000);
    private static final int P99_MS = Integer.getInteger("p99Ms", 1000);
    private static final Duration POLL = Duration.ofMillis(2);

    private static final Queue<Long> STALENESS = new ConcurrentLinkedQueue<>();
    private static final AtomicLong KEYS = new AtomicLong();

    private final LoopbackFixtures fixtures = new LoopbackFixtures("two-region");
    private final String nodeA;
    private final String nodeB;

    {
        int primary = fixtures.redis(0);
        int replicaA = fixtures.redis(primary);
        int replicaB = fixtures.redis(primary);
        nodeA = fixtures.gateway("region-a", regionConfig(primary, replicaA, "region-a"));
        nodeB = fixtures.gateway("region-b", regionConfig(primary, replicaB, "region-b"));
    }

    private static String regionConfig(int primary, int replica, String region) {
        return """
                [key_value_store.default]
                type = "redis"
                url = "redis://127.0.0.1:%d"
                replica_url = "redis://127.0.0.1:%d"
                region = "%s"

                [key_value_limits]
                read_rps = 0
                write_rps = 0
                """.formatted(primary, replica, region);
    }

    private final ScenarioBuilder writeAReadB = scenario("write on A, read on B")
            .exec(session -> {
                String key = "k" + KEYS.incrementAndGet() + "-" + System.nanoTime();
                return session.set("key", key).set("marker", "\"" + key + "\"").set("seen", false);
            })
            .exec(http("A POST /set/:key").post(nodeA + "/set/#{key}")
                    .header("content-type", "application/json")
                    .body(StringBody("{\"firstName\": \"#{key}\", \"lastName\": \"Scott\"}"))
                    .check(status().is(200)))
            .exec(session -> session.set("writtenAt", System.nanoTime()))
            .asLongAs(session -> !session.getBoolean("seen")
                            && System.nanoTime() - session.getLong("writtenAt") < BOUND_MS * 1_000_000)
            .on(exec(http("B GET /get/:key (poll)").get(nodeB + "/get/#{key}")
                            .check(status().in(200, 404), bodyString().saveAs("body")))
                    .exec(session -> {
                        if (session.getString("body").contains(session.getString("marker"))) {
                            STALENESS.add(System.nanoTime() - session.getLong("writtenAt"));
                            return session.set("seen", true);
                        }
                        return session;
                    })
                    .pause(POLL))
            .exec(http("B shows the write within bound").get(nodeB + "/.well-known/spin/health")
                    .check(bodyString().transformWithSession((body, session) -> session.getBoolean("seen")).is(true)));

    {
        setUp(writeAReadB.injectOpen(constantUsersPerSec(WRITES).during(Duration.ofSeconds(SECONDS))))
                .protocols(http.shareConnections())
                .maxDuration(Duration.ofSeconds(SECONDS + 30))
                .assertions(
                        global().failedRequests().count().is(0L),
                        details("B shows the write within bound").failedRequests().count().is(0L),
                        global().responseTime().percentile(99.0).lt(P99_MS));
    }

    @Override
    public void after() {
        fixtures.close();
        String summary = "two-region staleness (A's 200 to B showing the value, bound " + BOUND_MS + " ms): "
                + Percentiles.summary(STALENESS);
        System.out.println(summary);
        try {
            Path out = fixtures.repoRoot().resolve("loadtest/target/gatling/two-region-staleness.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, summary + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
