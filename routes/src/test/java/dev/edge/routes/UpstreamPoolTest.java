package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.config.UpstreamPoolConfig;
import dev.edge.config.UpstreamPoolConfig.Balance;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Named upstream pools ({@code upstream:<name>}) against real local upstreams: balancing, hashing, ejection. */
class UpstreamPoolTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final List<HttpServer> UPSTREAMS = new ArrayList<>();
    private static final CountDownLatch RELEASE_A = new CountDownLatch(1);
    private static final CountDownLatch HELD_AT_A = new CountDownLatch(1);
    private static IngressServer server;
    private static int port;

    /** Answers "<name> <uri>"; on /hold, "a" waits until released. */
    private static URI upstream(String name) throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.createContext("/", exchange -> {
            if (name.equals("a") && exchange.getRequestURI().getPath().endsWith("/hold")) {
                HELD_AT_A.countDown();
                try {
                    RELEASE_A.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = (name + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        UPSTREAMS.add(upstream);
        return URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
    }

    private static UpstreamPoolConfig pool(String name, List<URI> targets, Balance balance, String hashOn) {
        return UpstreamPoolConfig.of(name, targets).withBalance(balance, Optional.ofNullable(hashOn))
                .withEjection(new UpstreamPoolConfig.Ejection(1, Duration.ofSeconds(60)));
    }

    @BeforeAll
    static void start() throws Exception {
        URI a = upstream("a");
        URI b = upstream("b");
        URI c = upstream("c");
        URI dead = URI.create("http://127.0.0.1:" + FreePort.next());
        URI alsoDead = URI.create("http://127.0.0.1:" + FreePort.next());
        Map<String, UpstreamPoolConfig> pools = new HashMap<>();
        pools.put("rr", pool("rr", List.of(a, URI.create(b + "/v2")), Balance.ROUND_ROBIN, null));
        pools.put("least", pool("least", List.of(a, b), Balance.LEAST_REQUEST, null));
        pools.put("hash", pool("hash", List.of(a, b, c), Balance.HASH, "header:x-user"));
        pools.put("half-dead", pool("half-dead", List.of(dead, c), Balance.ROUND_ROBIN, null));
        pools.put("all-dead", pool("all-dead", List.of(dead, alsoDead), Balance.ROUND_ROBIN, null));
        StreamingProxy proxy = new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30), pools);
        List<ProxyRoute> routes = new ArrayList<>();
        for (String name : pools.keySet()) {
            routes.add(ProxyRoute.parse("/" + name + "/...=upstream:" + name));
        }
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/...", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "from manifest")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(),
                List.of(new ProxyStage(routes, proxy)), "p", "1", null);
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
    }

    @AfterAll
    static void stop() {
        RELEASE_A.countDown();
        if (server != null) {
            server.close();
        }
        UPSTREAMS.forEach(u -> u.stop(0));
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void roundRobinAlternatesAndEachTargetKeepsItsBasePath() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            bodies.add(get("/rr/x?i=" + i).body());
        }
        assertThat(bodies).filteredOn(body -> body.startsWith("a /x?i=")).hasSize(2);
        assertThat(bodies).filteredOn(body -> body.startsWith("b /v2/x?i=")).hasSize(2);
    }

    @Test
    void leastRequestAvoidsTheTargetThatIsBusy() throws Exception {
        var held = CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/least/hold"))
                .build(), HttpResponse.BodyHandlers.ofString());
        try {
            // Only once the held request is in flight on "a" is "b" the less busy target.
            assertThat(HELD_AT_A.await(20, TimeUnit.SECONDS)).as("the held request reached a").isTrue();
            for (int i = 0; i < 5; i++) {
                assertThat(get("/least/x").body()).startsWith("b ");
            }
        } finally {
            RELEASE_A.countDown();
        }
        assertThat(held.get(20, TimeUnit.SECONDS).body()).isEqualTo("a /hold");
    }

    @Test
    void hashKeepsAKeyOnOneTargetAndSpreadsKeys() throws Exception {
        Set<Character> used = new HashSet<>();
        for (int user = 0; user < 30; user++) {
            String first = get("/hash/x", "x-user", "u" + user).body();
            assertThat(get("/hash/x", "x-user", "u" + user).body()).isEqualTo(first);
            used.add(first.charAt(0));
        }
        assertThat(used).containsExactlyInAnyOrder('a', 'b', 'c');
    }

    @Test
    void aTargetThatRefusesConnectionsIsRetriedElsewhereThenEjected() throws Exception {
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = get("/half-dead/x");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("c /x");
        }
    }

    @Test
    void aPoolWithNoHealthyTargetIs502ThenAt503Once() throws Exception {
        assertThat(get("/all-dead/x").statusCode()).isEqualTo(502);
        assertThat(get("/all-dead/x").statusCode()).isEqualTo(503);
    }
}
