package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.kv.testing.RedisServerProcess;
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

/** {@link EdgeApp} wiring of the runtime config's key-value backends, with the tutorial app. */
class EdgeAppWiringTest {
    private static final Path MANIFEST = Path.of("../examples/hello-key-value-store/spin.toml");
    private static final String RIVER = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    @Test
    void memoryDefaultStoreServesTheTutorialWithoutTouchingDisk() throws Exception {
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "memory"
                """);
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, temp.resolve("state"), runtimeConfig,
                null, List.of()))) {
            setAndGet(listen);
            ByteArrayOutputStream banner = new ByteArrayOutputStream();
            app.printBanner(new PrintStream(banner, true, StandardCharsets.UTF_8), listen);
            assertThat(banner.toString(StandardCharsets.UTF_8)).startsWith("\nServing " + listen.baseUrl() + "\n");
        }
        assertThat(temp.resolve("state/sqlite_key_value.db")).doesNotExist();
    }

    @Test
    void compiledModuleIsKeptInTheStateDirAndReusedOnRestart() throws Exception {
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "memory"
                """);
        Path cacheDir = temp.resolve("state").resolve(EdgeApp.COMPILE_CACHE_DIR);
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, temp.resolve("state"), runtimeConfig,
                null, List.of()))) {
            setAndGet(listen);
        }
        Path entry;
        try (var entries = Files.list(cacheDir)) {
            List<Path> all = entries.toList();
            assertThat(all).hasSize(1);
            entry = all.get(0);
        }
        var written = Files.getLastModifiedTime(entry);
        Files.setLastModifiedTime(entry, java.nio.file.attribute.FileTime.fromMillis(written.toMillis() - 60_000));
        var aged = Files.getLastModifiedTime(entry);

        ListenAddress again = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, again, temp.resolve("state"), runtimeConfig,
                null, List.of()))) {
            setAndGet(again);
        }
        assertThat(Files.getLastModifiedTime(entry)).as("a cache hit does not rewrite the entry").isEqualTo(aged);
    }

    @Test
    void redisDefaultStoreWritesThroughToARealRedis() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.default]
                    type = "redis"
                    url = "%s"
                    """.formatted(redis.uri()));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, temp.resolve("state"), runtimeConfig,
                    null, List.of()))) {
                setAndGet(listen);
            }
            // A second gateway on the same Redis sees the data: it lives in Redis, not in the JVM.
            ListenAddress again = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, again, temp.resolve("state2"), runtimeConfig,
                    null, List.of()))) {
                assertThat(get(again, "/get/rs").body()).isEqualTo(RIVER);
            }
        }
        assertThat(temp.resolve("state/sqlite_key_value.db")).doesNotExist();
    }

    @Test
    void unreachableRedisPrimaryFailsTheStartNamingTheStoreWithoutThePassword() throws Exception {
        int closedPort = FreePort.next();
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "redis"
                url = "redis://:hunter2@127.0.0.1:%d"
                command_timeout = "500ms"
                """.formatted(closedPort));
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen,
                        temp.resolve("state"), runtimeConfig, null, List.of())))
                .hasMessageStartingWith("key_value_store.default: cannot connect to Redis primary redis://***@127.0.0.1:" + closedPort)
                .satisfies(e -> assertThat(String.valueOf(e.getMessage()) + e.getCause()).doesNotContain("hunter2"));
    }

    private void setAndGet(ListenAddress listen) throws Exception {
        HttpResponse<String> set = client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + "/set/rs"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"firstName\": \"River\", \"lastName\": \"Scott\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(set.statusCode()).isEqualTo(200);
        HttpResponse<String> get = get(listen, "/get/rs");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(RIVER);
    }

    private HttpResponse<String> get(ListenAddress listen, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
