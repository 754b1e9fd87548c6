package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.edge.kv.testing.RedisTopology;
import dev.edge.routes.AccessLogFormat;
import dev.edge.routes.FreePort;
import dev.edge.routes.ProxyRoute;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 12, observability, on one gateway as {@code edge up} wires it: the tutorial (SQLite default store), a
 * trapping guest, a {@code --proxy} route and a kv route on a Redis store with a replica, the access log on, the
 * admin listener scraped. Checks the access log, the request id in a guest's error log line, the meters and their
 * help, histogram buckets per target, and that every metric deploy/grafana/edge-dashboard.json queries is exported.
 */
class ObservabilityGatewayTest {
    static final Path DASHBOARD = Path.of("../deploy/grafana/edge-dashboard.json");
    @TempDir
    static Path temp;
    private static RedisTopology redis;
    private static EchoUpstream echo;
    private static EdgeApp app;
    private static ListenAddress listen;
    private static ListenAddress admin;
    private static Path accessLog;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisTopology.primaryWithReplicas(1);
        echo = new EchoUpstream("echo");
        Path manifest = TestApps.manifest(temp.resolve("app"), "observed",
                TestApps.component("/...", "tutorial", TestApps.TUTORIAL, "default")
                        + TestApps.component("/trap", "trap", TestApps.wasmExecGuest("trap")));
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.regional]
                type = "redis"
                url = "%s"
                replica_url = "%s"
                region = "test"

                [[kv_route]]
                route = "/switch/..."
                store = "regional"
                key = "upstream:switch"
                default_upstream = "%s"
                allowed_upstreams = ["http://127.0.0.1:*"]
                """.formatted(redis.primary().uri(), redis.replica(0).uri(), echo.url()));
        listen = new ListenAddress("127.0.0.1", FreePort.next());
        admin = new ListenAddress("127.0.0.1", FreePort.next());
        accessLog = temp.resolve("access.json");
        app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), runtimeConfig, admin,
                List.of(ProxyRoute.parse("/api/...=" + echo.url() + "/v1")))
                .withAccessLog(new AccessLogOption(accessLog.toString(), AccessLogFormat.JSON)));
        // One of each, so the meters created on first use exist.
        assertThat(send("/set/rs", "set-1", "{\"firstName\": \"River\", \"lastName\": \"Scott\"}").statusCode()).isEqualTo(200);
        assertThat(send("/get/rs", "get-1", null).statusCode()).isEqualTo(200);
        assertThat(send("/api/things?x=1", "api-1", null).body()).isEqualTo("echo GET /v1/things?x=1");
        assertThat(send("/switch/here", null, null).body()).isEqualTo("echo GET /here");
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (echo != null) {
            echo.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void accessLogNamesTheComponentTheProxyUpstreamAndTheKvRouteWithTheirRequestIds() throws Exception {
        JsonObject set = line(l -> "set-1".equals(l.getString("request_id")));
        assertThat(set.getString("method")).isEqualTo("POST");
        assertThat(set.getString("path")).isEqualTo("/set/rs");
        assertThat(set.getInteger("status")).isEqualTo(200);
        assertThat(set.getString("route")).isEqualTo("tutorial");

        JsonObject api = line(l -> "api-1".equals(l.getString("request_id")));
        assertThat(api.getString("route")).isEqualTo("proxy");
        assertThat(api.getString("upstream")).isEqualTo(echo.url() + "/v1");
        assertThat(api.getString("target")).isEqualTo(echo.url() + "/v1");
        assertThat(api.getLong("bytes")).isEqualTo("echo GET /v1/things?x=1".length());

        // No id from the client: the one generated is the one the upstream got.
        send("/switch/again", null, null);
        String generated = echo.lastHeaders().getFirst("x-request-id");
        assertThat(generated).matches("[0-9a-f]{32}");
        JsonObject switched = line(l -> generated.equals(l.getString("request_id")));
        assertThat(switched.getString("route")).isEqualTo("kv-route");
        assertThat(switched.getString("upstream")).isEqualTo(echo.url());
        assertThat(switched.getString("path")).isEqualTo("/switch/again");
    }

    @Test
    void aTrapIsCountedAndItsLogLineCarriesTheRequestId() throws Exception {
        Logger failures = (Logger) LoggerFactory.getLogger(dev.edge.wasm.GuestFailures.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        failures.addAppender(events);
        try {
            assertThat(send("/trap", "trap-1", null).statusCode()).isEqualTo(500);
        } finally {
            failures.detachAppender(events);
        }
        assertThat(events.list).anySatisfy(event -> {
            assertThat(event.getFormattedMessage()).contains("trap");
            assertThat(event.getMDCPropertyMap()).containsEntry("request_id", "trap-1");
        });
        assertThat(line(l -> "trap-1".equals(l.getString("request_id"))).getInteger("status")).isEqualTo(500);
        assertThat(scrape()).containsPattern(
                "edge_guest_failures_total\\{component=\"trap\",[^}]*reason=\"trap\"} [1-9]");
    }

    @Test
    void everyMeterHasHelpAndLatencyHistogramsHaveBucketsPerTarget() throws Exception {
        String metrics = scrape();
        assertThat(metrics.lines().filter(l -> l.startsWith("# HELP ")))
                .allSatisfy(help -> assertThat(help.split(" ", 4)).as(help).hasSize(4)
                        .satisfies(parts -> assertThat(parts[3]).as(help).isNotBlank()));
        for (String target : List.of("tutorial", "proxy", "kv-route")) {
            assertThat(metrics.lines().filter(l -> l.startsWith("edge_http_requests_seconds_bucket{")
                    && l.contains("target=\"" + target + "\"")).toList())
                    .as(target).hasSizeGreaterThan(5).anySatisfy(l -> assertThat(l).contains("le=\"+Inf\""));
        }
        for (String name : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_cpu_usage", "process_uptime_seconds", "process_files_open_files", "edge_guests_rejected_total",
                "edge_kv_quota_refusals_total", "edge_kv_sqlite_op_seconds_count", "edge_kv_redis_connection_up",
                "edge_kv_redis_replica_link_up", "edge_kv_redis_replica_lag_bytes", "edge_access_log_dropped_total",
                "edge_guest_instances_idle")) {
            assertThat(sampleNames(metrics)).as(name).contains(name);
            String family = name.replaceAll("_count$", ""); // a timer's help is on its family; a counter's on _total
            assertThat(metrics).as(name).contains("# HELP " + family + " ");
        }
        assertThat(metrics).containsPattern("edge_kv_redis_connection_up\\{connection=\"replica\",region=\"test\"} 1");
    }

    /** Every metric deploy/grafana/edge-dashboard.json queries is one a running gateway exports. */
    @Test
    void theDashboardQueriesOnlyExportedMetrics() throws Exception {
        JsonObject dashboard = (JsonObject) Jsoner.deserialize(Files.readString(DASHBOARD));
        Set<String> queried = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:edge|jvm|process|system)_[a-z0-9_]+)");
        for (Object panel : (JsonArray) dashboard.get("panels")) {
            JsonArray targets = (JsonArray) ((JsonObject) panel).get("targets");
            if (targets == null) {
                continue;
            }
            for (Object target : targets) {
                Matcher m = metric.matcher(((JsonObject) target).getString("expr"));
                while (m.find()) {
                    queried.add(m.group(1));
                }
            }
        }
        assertThat(queried).hasSizeGreaterThan(25);
        assertThat(sampleNames(scrape())).containsAll(queried);
    }

    private static Set<String> sampleNames(String metrics) {
        return metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toSet());
    }

    private static String scrape() throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(admin.baseUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpResponse<String> send(String path, String requestId, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(listen.baseUrl() + path));
        if (requestId != null) {
            request.header("x-request-id", requestId);
        }
        if (body != null) {
            request.POST(HttpRequest.BodyPublishers.ofString(body));
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject line(java.util.function.Predicate<JsonObject> which) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(accessLog, StandardCharsets.UTF_8)
                .stream().map(l -> {
                    try {
                        return (JsonObject) Jsoner.deserialize(l);
                    } catch (Exception e) {
                        throw new AssertionError("not JSON: " + l, e);
                    }
                }).filter(which).findFirst(), Optional::isPresent).get();
    }
}
