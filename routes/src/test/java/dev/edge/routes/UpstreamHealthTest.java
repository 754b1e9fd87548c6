package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.config.UpstreamPoolConfig;
import dev.edge.config.UpstreamPoolConfig.Ejection;
import dev.edge.config.UpstreamPoolConfig.Health;
import dev.edge.config.UpstreamPoolConfig.Retries;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Active health checks and passive ejection against real upstreams that are stopped and started again, or whose
 * health check starts failing: a target out of rotation gets no requests, a pool with none left answers 503 at
 * once, and a target that recovers is sent requests again.
 */
class UpstreamHealthTest {
    private static final Health FAST_CHECKS = new Health("/healthz", Duration.ofMillis(100), Duration.ofMillis(100), 2, 2);
    private static final Retries NO_RETRIES = new Retries(0, Set.of(), Set.of(), Retries.IDEMPOTENT);
    private static final List<AutoCloseable> CLOSE = new ArrayList<>();
    private static IngressServer server;
    private static int port;
    private static Named solo;
    private static Named sick;
    private static RawUpstream bad;
    private static RawUpstream shortlyBad;

    /** An upstream answering its name; its /healthz answers 503 while {@code failing}; stopped and started on one port. */
    private static final class Named implements AutoCloseable {
        private final String name;
        private final int port = FreePort.next();
        private volatile boolean failing;
        private HttpServer server;

        Named(String name) throws IOException {
            this.name = name;
            start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + port);
        }

        void start() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            server.createContext("/", exchange -> {
                boolean check = exchange.getRequestURI().getPath().equals("/healthz");
                byte[] body = name.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(check && failing ? 503 : 200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
        }

        void stop() {
            server.stop(0);
        }

        @Override
        public void close() {
            stop();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        solo = new Named("solo");
        sick = new Named("sick");
        Named well = new Named("well");
        bad = new RawUpstream(RawUpstream.answering(500, "bad"));
        shortlyBad = new RawUpstream(RawUpstream.answering(500, "bad"));
        RawUpstream good = new RawUpstream(RawUpstream.answering(200, "good"));
        CLOSE.addAll(List.of(solo, sick, well, bad, shortlyBad, good));
        Map<String, UpstreamPoolConfig> pools = new LinkedHashMap<>();
        pools.put("solo", UpstreamPoolConfig.of("solo", List.of(solo.url())).withHealth(FAST_CHECKS)
                .withRetries(NO_RETRIES));
        pools.put("pair", UpstreamPoolConfig.of("pair", List.of(sick.url(), well.url())).withHealth(FAST_CHECKS));
        pools.put("outlier", UpstreamPoolConfig.of("outlier", List.of(bad.url(), good.url())).withRetries(NO_RETRIES)
                .withEjection(new Ejection(2, Duration.ofSeconds(60))));
        pools.put("outlier-short", UpstreamPoolConfig.of("outlier-short", List.of(shortlyBad.url(), good.url()))
                .withRetries(NO_RETRIES).withEjection(new Ejection(2, Duration.ofMillis(300))));
        StreamingProxy proxy = new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30), pools);
        CLOSE.add(proxy);
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
    static void stop() throws Exception {
        Closing.all(server, CLOSE);
    }

    private static RawHttp.Reply get(String path) throws Exception {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n");
    }

    @Test
    void aStoppedTargetFailsItsChecksThePoolAnswers503AtOnceAndServesAgainWhenItIsBack() throws Exception {
        assertThat(get("/solo/x").text()).endsWith("solo");
        solo.stop();
        // Until the checks fail twice, a request finds the connection refused (502); then the pool has no target.
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/solo/x").status() == 503);
        assertThat(get("/solo/x").status()).isEqualTo(503);
        solo.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/solo/x").status() == 200);
        assertThat(get("/solo/x").text()).endsWith("solo");
    }

    @Test
    void aTargetFailingItsChecksGetsNoRequestsUntilItPassesAgain() throws Exception {
        sick.failing = true;
        try {
            // Out of rotation once every one of several requests in a row goes to the other target.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                for (int i = 0; i < 4; i++) {
                    if (!get("/pair/x").text().endsWith("well")) {
                        return false;
                    }
                }
                return true;
            });
            for (int i = 0; i < 6; i++) {
                assertThat(get("/pair/x").text()).endsWith("well");
            }
        } finally {
            sick.failing = false;
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/pair/x").text().endsWith("sick"));
    }

    @Test
    void consecutive5xxAnswersEjectATarget() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            bodies.add(get("/outlier/x").text());
        }
        // In turn: bad, good, bad (its second failure in a row ejects it), then only good.
        assertThat(bad.requests()).isEqualTo(2);
        assertThat(bodies.subList(3, 10)).allMatch(body -> body.endsWith("good"));
    }

    @Test
    void anEjectedTargetIsTriedAgainAfterEjectFor() throws Exception {
        for (int i = 0; i < 4; i++) {
            get("/outlier-short/x");
        }
        assertThat(shortlyBad.requests()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            get("/outlier-short/x");
            return shortlyBad.requests() > 2;
        });
    }
}
