package dev.edge.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import dev.edge.loadtest.fixtures.LoopbackFixtures;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The tutorial's traffic: mostly hot reads of {@code /get/rs}, some writes. Without {@code baseUrl} it starts its
 * own gateway (the tutorial on the embedded SQLite store, quotas off) on a free loopback port and stops it at
 * the end; with {@code baseUrl} it targets that running gateway.
 * <pre>
 * ./mvnw -pl loadtest gatling:test -Dgatling.simulationClass=dev.edge.loadtest.TutorialSimulation -Drps=500 -Dseconds=30
 * loadtest/scripts/gatling.sh dev.edge.loadtest.TutorialSimulation -DbaseUrl=http://127.0.0.1:3000 -Drps=500 -Dseconds=30
 * </pre>
 * Against your own gateway with the Fermyon-like profile on ({@code write_rps = 50}), keep 5 % of {@code rps}
 * under 50 or writes answer 429. Bounded in rate and duration; only ever targets loopback.
 */
public class TutorialSimulation extends Simulation {
    private static final int RPS = Integer.getInteger("rps", 500);
    private static final int SECONDS = Integer.getInteger("seconds", 30);
    private static final int WARM_UP = Integer.getInteger("warmUp", 2000);
    private static final int P99_MS = Integer.getInteger("p99Ms", 1000);

    private final LoopbackFixtures fixtures = System.getProperty("baseUrl") == null ? new LoopbackFixtures("tutorial") : null;
    private final String baseUrl = fixtures == null ? System.getProperty("baseUrl")
            : fixtures.gateway("tutorial", "[key_value_limits]\nread_rps = 0\nwrite_rps = 0\n");


    {
        // A fresh gateway has no "rs" yet: write it once so the readers' first requests find it.
        try {
            HttpResponse<Void> seeded = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/set/rs"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"firstName\": \"River\", \"lastName\": \"Scott\"}"))
                    .build(), HttpResponse.BodyHandlers.discarding());
            if (seeded.statusCode() != 200) {
                throw new IllegalStateException("POST " + baseUrl + "/set/rs answered " + seeded.statusCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    {
        if (fixtures != null) {
            LoopbackFixtures.warmUp(baseUrl + "/get/rs", WARM_UP);
        }
    }

    private final HttpProtocolBuilder protocol = http.baseUrl(baseUrl).shareConnections();

    private final ScenarioBuilder readers = scenario("hot read")
            .exec(http("GET /get/rs").get("/get/rs").check(status().is(200)));

    private final ScenarioBuilder writers = scenario("write")
            .exec(http("POST /set/rs")
                    .post("/set/rs")
                    .header("content-type", "application/json")
                    .body(StringBody("{\"firstName\": \"River\", \"lastName\": \"Scott\"}"))
                    .check(status().is(200)));

    {
        setUp(
                readers.injectOpen(constantUsersPerSec(RPS * 0.95).during(Duration.ofSeconds(SECONDS))),
                writers.injectOpen(constantUsersPerSec(RPS * 0.05).during(Duration.ofSeconds(SECONDS))))
                .protocols(protocol)
                .maxDuration(Duration.ofSeconds(SECONDS + 30))
                .assertions(
                        global().failedRequests().percent().lt(1.0),
                        global().responseTime().percentile(99.0).lt(P99_MS));
    }

    @Override
    public void after() {
        if (fixtures != null) {
            fixtures.close();
        }
    }
}
