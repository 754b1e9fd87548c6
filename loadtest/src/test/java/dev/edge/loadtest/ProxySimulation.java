package dev.edge.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import dev.edge.loadtest.fixtures.LoopbackFixtures;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The reverse proxy under load: one edge node proxies {@code /api/...} ({@code --proxy '/api/...=upstream:api'}) to
 * an {@code [upstream.api]} pool of two local Undertow upstreams ({@code NamedUpstream}, each in its own JVM), round
 * robin. 90 % {@code GET /api/item} (each
 * upstream answers its name), 10 % {@code POST /api/echo} with a 4 KiB body the upstream echoes back. Every answer
 * must be 200 with the expected body; both upstreams must be used.
 * <pre>
 * ./mvnw -pl loadtest gatling:test -Dgatling.simulationClass=dev.edge.loadtest.ProxySimulation -Drps=300 -Dseconds=15
 * </pre>
 * Bounded: {@code rps} for {@code seconds}; everything on loopback, stopped at the end.
 */
public class ProxySimulation extends Simulation {
    private static final int RPS = Integer.getInteger("rps", 300);
    private static final int SECONDS = Integer.getInteger("seconds", 15);
    private static final int WARM_UP = Integer.getInteger("warmUp", 2000);
    private static final int P99_MS = Integer.getInteger("p99Ms", 1000);
    private static final String BODY = "x".repeat(4096);
    /** {@code -Dpool=false}: {@code --proxy '/api/...=<first upstream's URL>'} instead of the pool, to compare. */
    private static final boolean POOL = Boolean.parseBoolean(System.getProperty("pool", "true"));

    private final LoopbackFixtures fixtures = new LoopbackFixtures("proxy");
    private final String one = fixtures.upstream("one");
    private final String two = fixtures.upstream("two");
    private final String node;
    private long oneBefore;
    private long twoBefore;

    {
        node = fixtures.gateway("proxy", """
                [upstream.api]
                targets = ["%s", "%s"]
                balance = "round_robin"
                """.formatted(one, two), "--proxy", "/api/...=" + (POOL ? "upstream:api" : one));
        LoopbackFixtures.warmUp(node + "/api/item", WARM_UP);
        oneBefore = hits(one); // count only the measured run
        twoBefore = hits(two);
    }

    private static long hits(String upstream) {
        return Long.parseLong(LoopbackFixtures.get(upstream + "/hits").strip());
    }

    private final ScenarioBuilder readers = scenario("GET through the pool")
            .exec(http("GET /api/item").get(node + "/api/item").check(status().is(200), bodyString().in("one", "two")));

    private final ScenarioBuilder writers = scenario("POST through the pool")
            .exec(http("POST /api/echo (4 KiB)").post(node + "/api/echo").body(StringBody(BODY))
                    .check(status().is(200), bodyString().is(BODY)));

    {
        setUp(readers.injectOpen(constantUsersPerSec(RPS * 0.9).during(Duration.ofSeconds(SECONDS))),
                writers.injectOpen(constantUsersPerSec(RPS * 0.1).during(Duration.ofSeconds(SECONDS))))
                .protocols(http.shareConnections())
                .maxDuration(Duration.ofSeconds(SECONDS + 30))
                .assertions(
                        global().failedRequests().count().is(0L),
                        global().responseTime().percentile(99.0).lt(P99_MS));
    }

    @Override
    public void after() {
        long oneHits = hits(one) - oneBefore;
        long twoHits = hits(two) - twoBefore;
        fixtures.close();
        System.out.printf("proxy: upstream hits one=%d two=%d%n", oneHits, twoHits);
        if (POOL && (oneHits == 0 || twoHits == 0)) {
            throw new AssertionError("round robin must use both upstreams: one=" + oneHits + " two=" + twoHits);
        }
    }
}
