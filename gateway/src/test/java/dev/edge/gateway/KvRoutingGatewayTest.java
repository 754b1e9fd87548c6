package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.edge.config.ConfigException;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [[kv_route]]} wired by {@link EdgeApp} from a runtime-config file, over the embedded SQLite store:
 * an operator tool writes the routing key into the same database file, the running gateway follows it.
 */
class KvRoutingGatewayTest {
    static final String APP = "kv-routing-app";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    /** A manifest without Wasm: one static catch-all route, so "passed on" is visible. */
    static Path staticManifest(Path dir) throws Exception {
        return Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "%s"
                version = "1.0.0"
                [[trigger.http]]
                route = "/..."
                static_response = { body = "from manifest" }
                """.formatted(APP));
    }

    @Test
    void keyInTheSqliteStoreRoutesRequestsOfTheRunningGateway() throws Exception {
        Path db = temp.resolve("routing.db");
        try (EchoUpstream blue = new EchoUpstream("blue");
             EchoUpstream green = new EchoUpstream("green");
             EchoUpstream fallback = new EchoUpstream("default");
             EchoUpstream outsider = new EchoUpstream("outsider")) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.default]
                    type = "spin"
                    path = "%s"

                    [[kv_route]]
                    route = "/api/..."
                    key = "upstream:api"
                    default_upstream = "%s"
                    allowed_upstreams = ["http://127.0.0.1:*"]
                    """.formatted(db, fallback.url()));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            ListenAddress admin = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(staticManifest(temp), listen, temp.resolve("state"),
                    runtimeConfig, admin, List.of()));
                 SqliteStoreBackend operator = new SqliteStoreBackend(db, APP)) {
                KeyValueStore store = operator.open(APP, "default");

                assertThat(get(listen, "/api/users?page=2").body()).isEqualTo("default GET /users?page=2");
                assertThat(get(listen, "/other").body()).isEqualTo("from manifest");

                store.set("upstream:api", (blue.url() + "/v1").getBytes(StandardCharsets.UTF_8));
                assertThat(get(listen, "/api/users?page=2").body()).isEqualTo("blue GET /v1/users?page=2");
                store.set("upstream:api", green.url().getBytes(StandardCharsets.UTF_8));
                assertThat(get(listen, "/api/users").body()).isEqualTo("green GET /users");

                store.set("upstream:api", ("http://localhost:" + outsider.port()).getBytes(StandardCharsets.UTF_8));
                assertThat(get(listen, "/api/users").statusCode()).isEqualTo(502);
                assertThat(outsider.requests()).isZero();

                store.delete("upstream:api");
                assertThat(get(listen, "/api/users").body()).isEqualTo("default GET /users");

                String metrics = get(admin, "/metrics").body();
                assertThat(metrics).contains("edge_kv_route_lookups_seconds_count{outcome=\"hit\",route=\"/api/...\"} 3\n");
                assertThat(metrics).contains("edge_kv_route_decisions_total{action=\"refused\",route=\"/api/...\"} 1.0\n");
                assertThat(metrics).contains("edge_http_requests_seconds_count{status=\"502\",target=\"kv-route\"} 1\n");

                ByteArrayOutputStream banner = new ByteArrayOutputStream();
                app.printBanner(new PrintStream(banner, true, StandardCharsets.UTF_8), listen);
                assertThat(banner.toString(StandardCharsets.UTF_8)).contains(
                        "  " + listen.baseUrl() + "/api/... -> store default, key upstream:api\n");
            }
        }
    }

    @Test
    void invalidKvRouteStopsTheStartWithFileFieldAndReason() throws Exception {
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [[kv_route]]
                route = "/api/..."
                store = "routing"
                key = "upstream:api"
                allowed_upstreams = []
                """);
        ConfigException e = catchThrowableOfType(() -> EdgeApp.start(new EdgeApp.Settings(staticManifest(temp),
                new ListenAddress("127.0.0.1", FreePort.next()), temp.resolve("state"), runtimeConfig, null, List.of())),
                ConfigException.class);
        assertThat(e).hasMessage(runtimeConfig.toAbsolutePath().normalize()
                + ": kv_route[0].store: unknown key_value_store label 'routing'; defined labels: default");
    }

    private HttpResponse<String> get(ListenAddress listen, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
