package dev.edge.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;

/**
 * The tutorial's traffic against a running gateway: mostly hot reads of {@code /get/rs}, some writes.
 * <pre>
 * loadtest/scripts/gatling.sh dev.edge.loadtest.TutorialSimulation -DbaseUrl=http://127.0.0.1:3000 -Drps=500 -Dseconds=30
 * </pre>
 * With the Fermyon-like profile on ({@code write_rps = 50}), keep 5 % of {@code rps} under 50 or writes answer 429.
 * Bounded in rate and duration; only ever targets the loopback gateway given by {@code baseUrl}.
 */
public class TutorialSimulation extends Simulation {
    private static final String BASE_URL = System.getProperty("baseUrl", "http://127.0.0.1:3000");
    private static final int RPS = Integer.getInteger("rps", 500);
    private static final int SECONDS = Integer.getInteger("seconds", 30);

    private final HttpProtocolBuilder protocol = http.baseUrl(BASE_URL).shareConnections();

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
                .assertions(global().failedRequests().percent().lt(1.0));
    }
}
