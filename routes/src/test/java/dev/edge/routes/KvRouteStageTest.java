package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.KvRouteConfig;
import dev.edge.config.RuntimeConfigLoader;
import dev.edge.config.StaticResponse;
import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.StoreLimits;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KV-aware routing through the real ingress, real upstream HTTP servers (the JDK's HttpServer) and a real
 * SQLite store: the routes come from runtime-config text parsed by the real loader.
 */
class KvRouteStageTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path temp;

    private static final AtomicInteger outsiderHits = new AtomicInteger();
    private static HttpServer blue;
    private static HttpServer green;
    private static HttpServer fallback;
    private static HttpServer outsider;
    private static SqliteStoreBackend backend;
    private static KeyValueFactor keyValues;
    private static KeyValueStore store;
    private static SimpleMeterRegistry registry;
    private static IngressServer server;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        blue = upstream("blue");
        green = upstream("green");
        fallback = upstream("default");
        outsider = upstream("outsider");
        outsider.createContext("/count", exchange -> {
            outsiderHits.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        backend = new SqliteStoreBackend(temp.resolve("kv.db"), "kv-routing-test");
        // 256-byte keys: Spin's guaranteed minimum, small enough to exceed with an ordinary header.
        keyValues = new KeyValueFactor("kv-routing-test", Map.of("default", backend), new StoreLimits(256, 1 << 20));
        store = keyValues.openStore("default");
        List<KvRouteConfig> routes = RuntimeConfigLoader.parse(temp.resolve("runtime-config.toml"), """
                [[kv_route]]
                route = "/api/..."
                key = "upstream:api"
                allowed_upstreams = ["http://127.0.0.1:*"]
                allowed_redirects = ["https://www.example.com"]

                [[kv_route]]
                route = "/api/admin"
                key = "upstream:admin"
                allowed_upstreams = []

                [[kv_route]]
                route = "/t/:tenant/..."
                key = "tenant:{param.tenant}"
                default_upstream = "%s"
                allowed_upstreams = ["http://127.0.0.1:*"]

                [[kv_route]]
                route = "/h/..."
                key = "by-header:{header.x-tenant}"
                default_upstream = "%s"
                allowed_upstreams = ["http://127.0.0.1:*"]

                [[kv_route]]
                route = "/maybe/..."
                key = "override:{path_info}"
                allowed_upstreams = ["http://127.0.0.1:*"]
                """.formatted(url(fallback), url(fallback)), temp).kvRoutes();
        registry = new SimpleMeterRegistry();
        KvRouteStage stage = new KvRouteStage(routes, keyValues, new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(10)),
                registry);
        server = startIngress(stage);
        base = "http://127.0.0.1:" + server.camelContext().getEndpoints().stream()
                .map(e -> URI.create(e.getEndpointUri().replace("undertow:", "")).getPort()).findFirst().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (keyValues != null) {
            keyValues.close();
        }
        for (HttpServer s : new HttpServer[] {blue, green, fallback, outsider}) {
            if (s != null) {
                s.stop(0);
            }
        }
    }

    @BeforeEach
    void clearKeys() {
        store.getKeys().forEach(store::delete);
    }

    @Test
    void writingTheKeySwitchesTheUpstream() throws Exception {
        store.set("upstream:api", utf8(url(blue)));
        HttpResponse<String> first = get("/api/users/7?x=1");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("blue GET /users/7?x=1");

        store.set("upstream:api", utf8(url(green) + "/v2\n")); // surrounding whitespace is ignored
        assertThat(get("/api/users/7?x=1").body()).isEqualTo("green GET /v2/users/7?x=1");
        assertThat(registry.get(KvRouteMetrics.LOOKUPS).tags("route", "/api/...", "outcome", "hit").timer().count())
                .isGreaterThanOrEqualTo(2);
        assertThat(registry.get(KvRouteMetrics.DECISIONS).tags("route", "/api/...", "action", "upstream").counter().count())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void moreSpecificKvRouteWinsAndOnlyItsKeyIsRead() throws Exception {
        store.set("upstream:api", utf8(url(blue)));
        store.set("upstream:admin", utf8("deny"));
        assertThat(get("/api/admin").statusCode()).isEqualTo(403);
        assertThat(get("/api/admins").body()).isEqualTo("blue GET /admins");
        store.set("upstream:admin", utf8(url(green))); // allowed_upstreams = [] on /api/admin
        assertThat(get("/api/admin").statusCode()).isEqualTo(502);
    }

    @Test
    void absentKeyUsesTheDefaultUpstreamAndAPresentOneOverridesIt() throws Exception {
        assertThat(get("/t/acme/orders").body()).isEqualTo("default GET /orders");
        store.set("tenant:acme", utf8(url(green)));
        assertThat(get("/t/acme/orders").body()).isEqualTo("green GET /orders");
        assertThat(get("/t/other/orders").body()).isEqualTo("default GET /orders");
    }

    @Test
    void keyFromAHeaderAndAMissingHeaderCountsAsAbsent() throws Exception {
        store.set("by-header:blue-team", utf8(url(blue)));
        HttpResponse<String> withHeader = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/h/x"))
                .header("X-Tenant", "blue-team").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withHeader.body()).isEqualTo("blue GET /x");
        assertThat(get("/h/x").body()).isEqualTo("default GET /x");
        // A key longer than the store's key limit cannot exist: absent, not a store failure.
        HttpResponse<String> longHeader = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/h/x"))
                .header("X-Tenant", "t".repeat(300)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(longHeader.body()).isEqualTo("default GET /x");
        assertThat(registry.get(KvRouteMetrics.LOOKUPS).tags("route", "/h/...", "outcome", "error").timer().count()).isZero();
    }

    @Test
    void absentKeyWithoutDefaultPassesOnToTheManifest() throws Exception {
        assertThat(get("/maybe/page").body()).isEqualTo("from manifest");
        store.set("override:/page", utf8(url(blue)));
        assertThat(get("/maybe/page").body()).isEqualTo("blue GET /page");
        store.set("override:/page", utf8("pass"));
        assertThat(get("/maybe/page").body()).isEqualTo("from manifest");
        assertThat(registry.get(KvRouteMetrics.DECISIONS).tags("route", "/maybe/...", "action", "pass").counter().count())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void upstreamOutsideTheAllowListIsRefusedWithoutContactingIt() throws Exception {
        int before = outsiderHits.get();
        int port = outsider.getAddress().getPort();
        for (String value : List.of(
                "http://localhost:" + port,                       // host not in the allow-list
                "https://127.0.0.1:" + port,                      // scheme not in the allow-list
                "http://127.0.0.1:80@localhost:" + port,          // user-info trick: the host is localhost
                "ftp://127.0.0.1:" + port,                        // not a routing value
                "127.0.0.1:" + port)) {                           // not a URL
            store.set("upstream:api", utf8(value));
            HttpResponse<String> response = get("/api/count");
            assertThat(response.statusCode()).as(value).isEqualTo(502);
            assertThat(response.body()).isEmpty();
        }
        assertThat(outsiderHits.get()).isEqualTo(before);
        // The same server through an allowed origin is reachable, so the refusals above were the allow-list's.
        store.set("upstream:api", utf8("http://127.0.0.1:" + port));
        assertThat(get("/api/count").statusCode()).isEqualTo(200);
        assertThat(outsiderHits.get()).isEqualTo(before + 1);
        assertThat(registry.get(KvRouteMetrics.DECISIONS).tags("route", "/api/...", "action", "refused").counter().count())
                .isGreaterThanOrEqualTo(5);
    }

    @Test
    void redirectAndDenyValues() throws Exception {
        store.set("upstream:api", utf8("redirect:/maintenance.html"));
        HttpResponse<String> relative = get("/api/x");
        assertThat(relative.statusCode()).isEqualTo(302);
        assertThat(relative.headers().firstValue("location")).contains("/maintenance.html");

        store.set("upstream:api", utf8("redirect:301:https://www.example.com/new"));
        HttpResponse<String> permanent = get("/api/x");
        assertThat(permanent.statusCode()).isEqualTo(301);
        assertThat(permanent.headers().firstValue("location")).contains("https://www.example.com/new");

        store.set("upstream:api", utf8("redirect:308:/v2"));
        assertThat(get("/api/x").statusCode()).isEqualTo(308);

        for (String refused : List.of("redirect:https://evil.example/", "redirect://evil.example/",
                "redirect:/\\evil.example", "redirect:399:/x", "redirect:")) {
            store.set("upstream:api", utf8(refused));
            HttpResponse<String> response = get("/api/x");
            assertThat(response.statusCode()).as(refused).isEqualTo(502);
            assertThat(response.headers().firstValue("location")).as(refused).isEmpty();
        }

        store.set("upstream:api", utf8("deny"));
        HttpResponse<String> denied = get("/api/x");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).isEmpty();
    }

    @Test
    void storeFailureFallsBackToTheDefaultUpstreamElse503() throws Exception {
        SqliteStoreBackend failing = new SqliteStoreBackend(temp.resolve("failing.db"), "kv-routing-test");
        try (KeyValueFactor failingValues = new KeyValueFactor("kv-routing-test", Map.of("default", failing))) {
            List<KvRouteConfig> routes = RuntimeConfigLoader.parse(temp.resolve("rc2.toml"), """
                    [[kv_route]]
                    route = "/with-default/..."
                    key = "k"
                    default_upstream = "%s"
                    allowed_upstreams = ["http://127.0.0.1:*"]

                    [[kv_route]]
                    route = "/without-default/..."
                    key = "k"
                    allowed_upstreams = ["http://127.0.0.1:*"]
                    """.formatted(url(fallback)), temp).kvRoutes();
            failingValues.openStore("default").set("k", utf8(url(blue)));
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            IngressServer second = startIngress(new KvRouteStage(routes, failingValues,
                    new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(10)), meters));
            try {
                String secondBase = "http://127.0.0.1:" + portOf(second);
                assertThat(send(secondBase + "/with-default/a").body()).isEqualTo("blue GET /a");
                assertThat(send(secondBase + "/without-default/a").body()).isEqualTo("blue GET /a");

                failing.close(); // the store is down from now on

                HttpResponse<String> fellBack = send(secondBase + "/with-default/a");
                assertThat(fellBack.statusCode()).isEqualTo(200);
                assertThat(fellBack.body()).isEqualTo("default GET /a");
                HttpResponse<String> unavailable = send(secondBase + "/without-default/a");
                assertThat(unavailable.statusCode()).isEqualTo(503);
                assertThat(unavailable.body()).isEmpty();
                assertThat(meters.get(KvRouteMetrics.LOOKUPS).tags("outcome", "error").timers().stream()
                        .mapToLong(io.micrometer.core.instrument.Timer::count).sum()).isEqualTo(2);
                assertThat(meters.get(KvRouteMetrics.DECISIONS).tags("route", "/with-default/...", "action", "fallback").counter().count()).isEqualTo(1);
                assertThat(meters.get(KvRouteMetrics.DECISIONS).tags("route", "/without-default/...", "action", "unavailable").counter().count()).isEqualTo(1);
            } finally {
                second.close();
            }
        }
    }

    @Test
    void hostPlaceholderDropsThePortAndCase() {
        assertThat(KvRouteStage.hostWithoutPort("API.Example.com:8443")).isEqualTo("api.example.com");
        assertThat(KvRouteStage.hostWithoutPort("[::1]:3000")).isEqualTo("[::1]");
        assertThat(KvRouteStage.hostWithoutPort("[::1]")).isEqualTo("[::1]");
        assertThat(KvRouteStage.hostWithoutPort("example.com.")).isEqualTo("example.com");
    }

    private static IngressServer startIngress(KvRouteStage stage) throws Exception {
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/...", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "from manifest")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(), List.of(stage), "kv", "1", null);
        return IngressServer.start("127.0.0.1", FreePort.next(), 1 << 20, dispatcher);
    }

    private static int portOf(IngressServer ingress) {
        return ingress.camelContext().getEndpoints().stream()
                .map(e -> URI.create(e.getEndpointUri().replace("undertow:", "")).getPort()).findFirst().orElseThrow();
    }

    /** An upstream answering {@code <name> <method> <uri>}. */
    private static HttpServer upstream(String name) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", exchange -> {
            byte[] body = (name + " " + exchange.getRequestMethod() + " " + exchange.getRequestURI())
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        s.start();
        return s;
    }

    private static String url(HttpServer s) {
        return "http://127.0.0.1:" + s.getAddress().getPort();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return send(base + pathAndQuery);
    }

    private static HttpResponse<String> send(String url) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
