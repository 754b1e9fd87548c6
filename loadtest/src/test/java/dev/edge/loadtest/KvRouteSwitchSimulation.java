package dev.edge.loadtest;

import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import com.sun.net.httpserver.HttpServer;
import dev.edge.loadtest.fixtures.LoopbackFixtures;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
    private static final int P99_MS = Integer.getInteger("p99Ms", 500);
    /** The tutorial app's default store, in the Redis tier's key scheme (docs/kv-redis.md). */
    private static final String ROUTE_KEY = "edge:{hello-key-value-store/default}:upstream:api";

    private final LoopbackFixtures fixtures = new LoopbackFixtures("kv-route-switch");
    private final AtomicLong blueHits = new AtomicLong();
    private final AtomicLong greenHits = new AtomicLong();
    private final AtomicLong flips = new AtomicLong();
    private final HttpServer blue = upstream("blue", blueHits);
    private final HttpServer green = upstream("green", greenHits);
    private final ScheduledExecutorService flipper = Executors.newSingleThreadScheduledExecutor();
    private final RedisClient redis;
    private final String node;

    {
        int primary = fixtures.redis(0);
        int replica = fixtures.redis(primary);
        String blueUrl = "http://127.0.0.1:" + blue.getAddress().getPort();
        String greenUrl = "http://127.0.0.1:" + green.getAddress().getPort();
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
        redis = RedisClient.create("redis://127.0.0.1:" + primary);
        StatefulRedisConnection<String, String> connection = redis.connect();
        flipper.scheduleAtFixedRate(() -> {
            long n = flips.incrementAndGet();
            connection.sync().set(ROUTE_KEY, n % 2 == 0 ? blueUrl : greenUrl);
        }, 0, FLIP_MS, TimeUnit.MILLISECONDS);
    }

    private static HttpServer upstream(String colour, AtomicLong hits) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            byte[] body = colour.getBytes(StandardCharsets.US_ASCII);
            server.createContext("/", exchange -> {
                hits.incrementAndGet();
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.setExecutor(Executors.newFixedThreadPool(4, task -> {
                Thread thread = new Thread(task, "upstream-" + colour);
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        blue.stop(0);
        green.stop(0);
        System.out.printf("kv-route switch: %d flips of upstream:api every %d ms; upstream hits blue=%d green=%d%n",
                flips.get(), FLIP_MS, blueHits.get(), greenHits.get());
    }
}
