package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.kv.KeyValueStore;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import dev.edge.routes.FreePort;
import dev.edge.routes.ProxyRoute;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [upstream.<name>]} from runtime-config.toml, named by a {@code --proxy} route and by a kv-route value. */
class UpstreamPoolGatewayTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    private String get(ListenAddress listen, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void proxyRoutesAndKvValuesNameAPool() throws Exception {
        Path db = temp.resolve("routing.db");
        try (EchoUpstream blue = new EchoUpstream("blue"); EchoUpstream green = new EchoUpstream("green")) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.default]
                    type = "spin"
                    path = "%s"

                    [upstream.api]
                    targets = ["%s", "%s/v2"]

                    [[kv_route]]
                    route = "/kv/..."
                    key = "where"
                    allowed_upstreams = ["http://127.0.0.1:*"]
                    """.formatted(db, blue.url(), green.url()));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(KvRoutingGatewayTest.staticManifest(temp), listen,
                    temp.resolve("state"), runtimeConfig, null, List.of(ProxyRoute.parse("/px/...=upstream:api"))));
                 SqliteStoreBackend operator = new SqliteStoreBackend(db, KvRoutingGatewayTest.APP)) {
                List<String> bodies = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    bodies.add(get(listen, "/px/a"));
                }
                assertThat(bodies).containsExactlyInAnyOrder("blue GET /a", "blue GET /a", "green GET /v2/a", "green GET /v2/a");

                KeyValueStore store = operator.open(KvRoutingGatewayTest.APP, "default");
                store.set("where", "upstream:api".getBytes(StandardCharsets.UTF_8));
                assertThat(List.of(get(listen, "/kv/b"), get(listen, "/kv/b")))
                        .containsExactlyInAnyOrder("blue GET /b", "green GET /v2/b");
            }
        }
    }

    @Test
    void aProxyRouteNamingAnUndefinedPoolStopsTheStartInOneLine() throws Exception {
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        assertThatThrownBy(() -> EdgeApp.start(new EdgeApp.Settings(KvRoutingGatewayTest.staticManifest(temp), listen,
                temp.resolve("state"), null, null, List.of(ProxyRoute.parse("/px/...=upstream:api")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--proxy '/px/...=upstream:api': no [upstream.api] in the runtime config");
    }
}
