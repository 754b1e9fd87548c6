package dev.edge.loadtest;

import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import dev.edge.loadtest.fixtures.LoopbackFixtures;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.lettuce.core.RedisClient;
import io.undertow.Undertow;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A kv route switched under load: one edge node (Redis primary plus a replica, near-cache on) routes
 * {@code /api/...} to whatever the key {@code upstream:api} names, and a flipper writes that key on the primary
 * every {@code flipMs}, alternating between two local upstreams ("blue" and "green"). Every request must
 * answer 200 with one of the two bodies: a flip may never fail or drop a request.
 * <pre>
 * ./mvnw -pl loadtest gatling:test -Dgatling.simulationClass=dev.edge.loadtest.KvRouteSwitchSimulation -Drps=300 -Dseconds=15
 * </pre>
 * Bounded: {@code rps} for {@code seconds}; everything on loopback, stopped at the end.
 */
public class KvRouteSwitchSimulation extends Simulation {
    private static final int RPS = Integer.getInteger("rps", 300);
    private static final int SECONDS = Integer.getInteger("seconds", 15);
    private static final long FLIP_MS = Long.getLong("flipMs", 100);
    private static final int WARM_UP = Integer.getInteger("warmUp", 2000);
    private static final int P99_MS = Integer.getInteger("p99Ms", 1000);
    /** The tutorial app's default store, in the Redis tier's key scheme (docs/kv-redis.md). */
    private static final String ROUTE_KEY = "edge:{hello-key-value-store/default}:upstream:api";

    private final LoopbackFixtures fixtures = new LoopbackFixtures("kv-route-switch");
    private final AtomicLong blueHits = new AtomicLong();
    private final AtomicLong greenHits = new AtomicLong();
    private final AtomicLong flips = new AtomicLong();
    private final Undertow blue = upstream("blue", blueHits);
    private final Undertow green = upstream("green", greenHits);
    private final ScheduledExecutorService flipper = Executors.newSingleThreadScheduledExecutor();
    private final RedisClient redis;
    private final String node;

    {
        int primary = fixtures.redis(0);
        int replica = fixtures.redis(primary);
        String blueUrl = "http://127.0.0.1:" + port(blue);
        String greenUrl = "http://127.0.0.1:" + port(green);
        node = fixtures.gateway("kv-route", """
                [key_value_store.default]
                type = "redis"
                url = "redis://127.0.0.1:%d"
                replica_url = "redis://127.0.0.1:%d"

                [key_value_limits]
                read_rps = 0
                write_rps = 0

                [[kv_route]]
                route = "/api/..."
                key = "upstream:api"
                default_upstream = "%s"
                allowed_upstreams = ["http://127.0.0.1:*"]
                """.formatted(primary, replica, blueUrl));
        LoopbackFixtures.warmUp(node + "/api/item", WARM_UP);
        blueHits.set(0); // count only the measured run
        redis = RedisClient.create("redis://127.0.0.1:" + primary);
        StatefulRedisConnection<String, String> connection = redis.connect();
        flipper.scheduleAtFixedRate(() -> {
            long n = flips.incrementAndGet();
            connection.sync().set(ROUTE_KEY, n % 2 == 0 ? blueUrl : greenUrl);
        }, 0, FLIP_MS, TimeUnit.MILLISECONDS);
    }

    /** Undertow answering {@code colour} on its IO thread, on a free loopback port. */
    private static Undertow upstream(String colour, AtomicLong hits) {
        Undertow server = Undertow.builder()
                .addHttpListener(LoopbackFixtures.freePort(), "127.0.0.1")
                .setHandler(exchange -> {
                    hits.incrementAndGet();
                    exchange.getResponseSender().send(colour);
                })
                .build();
        server.start();
        return server;
    }

    private static int port(Undertow server) {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    private final ScenarioBuilder clients = scenario("GET /api/... while upstream:api flips")
            .exec(http("GET /api/item").get(node + "/api/item")
                    .check(status().is(200), bodyString().in("blue", "green")));

    {
        setUp(clients.injectOpen(constantUsersPerSec(RPS).during(Duration.ofSeconds(SECONDS))))
                .protocols(http.shareConnections())
                .maxDuration(Duration.ofSeconds(SECONDS + 30))
                .assertions(
                        global().failedRequests().count().is(0L),
                        global().responseTime().percentile(99.0).lt(P99_MS));
    }

    @Override
    public void after() {
        flipper.shutdownNow();
        redis.shutdown();
        fixtures.close();
        blue.stop();
        green.stop();
        System.out.printf("kv-route switch: %d flips of upstream:api every %d ms; upstream hits blue=%d green=%d%n",
                flips.get(), FLIP_MS, blueHits.get(), greenHits.get());
    }
}
