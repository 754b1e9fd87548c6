package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.kv.testing.RedisServerProcess;
import dev.edge.routes.FreePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EdgeApp#reload} in process: the SQLite store carries over, another app name cannot take the file, Redis
 * connections are replaced.
 */
class EdgeAppReloadTest {
    private static final Path TUTORIAL = Path.of("../examples/hello-key-value-store/spin.toml").toAbsolutePath().normalize();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    private Path writeApp(String name) throws Exception {
        return TestApps.manifest(temp.resolve("app"), name,
                TestApps.component("/...", "kv", TestApps.wasmExecGuest("kvtest"), "default"));
    }

    private String get(ListenAddress listen, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(listen.baseUrl() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theSqliteStoreCarriesOverAReloadWhileTheOldGenerationStillHasItOpen() throws Exception {
        Path manifest = writeApp("keeper");
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), null, null,
                List.of()))) {
            get(listen, "/fill", "x-prefix", "k", "x-count", "3");
            EdgeApp.Reload reload = app.reload(Duration.ofSeconds(5));
            assertThat(reload.ok()).as(reload.line()).isTrue();
            assertThat(reload.generation()).isEqualTo(2);
            assertThat(reload.line()).matches("reloaded app keeper \\(generation 2\\) in \\d+ ms");
            assertThat(get(listen, "/pages", "x-prefix", "k", "x-limit", "10")).contains("k0\nk1\nk2\n");
        }
    }

    @Test
    void aReloadOnRedisOpensNewConnectionsAndClosesTheOldGenerationsOnes() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.default]
                    type = "redis"
                    url = "%s"
                    """.formatted(redis.uri()));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(TUTORIAL, listen, temp.resolve("state"), runtimeConfig,
                    null, List.of()))) {
                assertThat(TutorialLoad.set(client, listen, "river", "River")).isEqualTo(200);
                long clients = Long.parseLong(redis.info("clients", "connected_clients"));

                EdgeApp.Reload reload = app.reload(Duration.ofSeconds(5));
                assertThat(reload.ok()).as(reload.line()).isTrue();
                assertThat(TutorialLoad.get(client, listen, "river").body()).contains("River");
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                        Long.parseLong(redis.info("clients", "connected_clients")))
                        .as("the old generation's connections are closed, the new one's open").isEqualTo(clients));
            }
        }
    }

    @Test
    void anotherAppNameCannotTakeTheStoreSoTheReloadFailsAndTheOldAppServes() throws Exception {
        Path manifest = writeApp("owner");
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), null, null,
                List.of()))) {
            get(listen, "/fill", "x-prefix", "k", "x-count", "2");
            writeApp("intruder");
            EdgeApp.Reload reload = app.reload(Duration.ofSeconds(5));
            assertThat(reload.ok()).isFalse();
            assertThat(reload.line()).startsWith("reload failed, still serving generation 1: key-value store ")
                    .contains("belongs to app 'owner'").doesNotContain("\n");
            assertThat(app.manifest().application().name()).isEqualTo("owner");
            assertThat(get(listen, "/pages", "x-prefix", "k", "x-limit", "10")).contains("k0\nk1\n");
        }
        assertThat(Files.exists(temp.resolve("state/sqlite_key_value.db"))).isTrue();
    }
}
