package dev.edge.gateway;

import dev.edge.routes.FreePort;
import dev.edge.routes.XnioThreads;
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
    void listenerIoThreadsComeFromTheRuntimeConfig() throws Exception {
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "memory"

                [listener]
                io_threads = 3
                """);
        java.util.Set<String> before = XnioThreads.ioThreadNames();
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, temp.resolve("state"), runtimeConfig,
                null, List.of()))) {
            setAndGet(listen);
            java.util.Set<String> started = XnioThreads.ioThreadNames();
            started.removeAll(before);
            assertThat(started).as("XNIO IO threads started by edge up").hasSize(3);
        }
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

    /** Issue 8 item 12: the owner of the state database is recorded only once the app has loaded. */
    @Test
    void aFailedStartDoesNotClaimTheStateDatabase() throws Exception {
        Path stateDir = temp.resolve("state");
        Path brokenDir = Files.createDirectories(temp.resolve("broken"));
        Files.write(brokenDir.resolve("app.wasm"), new byte[] {0, 'a', 's', 'm', 9, 9, 9, 9});
        Path broken = TestApps.manifest(brokenDir, "broken",
                TestApps.component("/...", "broken", brokenDir.resolve("app.wasm"), "default"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EdgeApp.start(new EdgeApp.Settings(broken,
                new ListenAddress("127.0.0.1", FreePort.next()), stateDir, null, null, List.of())))
                .isInstanceOf(dev.edge.wasm.WasmLoadException.class);

        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, stateDir, null, null, List.of()))) {
            setAndGet(listen);
        }
        // the app that did start owns the file now
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EdgeApp.start(new EdgeApp.Settings(
                        TestApps.manifest(temp.resolve("other"), "other", TestApps.component("/...", "echo",
                                TestApps.routesGuest("echo"), "default")),
                        new ListenAddress("127.0.0.1", FreePort.next()), stateDir, null, null, List.of())))
                .hasMessageContaining("belongs to app 'hello-key-value-store'");
    }

    /** Issue 8 item 13: each trigger runs its own executor, even when two triggers share a component. */
    @Test
    void twoTriggersOfOneComponentKeepTheirOwnExecutors() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "wagi-twice", """
                [[trigger.http]]
                route = "/first"
                component = "cgi"
                executor = { type = "wagi", argv = "first ${ARGS}" }
                [[trigger.http]]
                route = "/second"
                component = "cgi"
                executor = { type = "wagi", argv = "second ${ARGS}" }
                [component.cgi]
                source = "%s"
                """.formatted(TestApps.WASM_EXEC_GUESTS.resolve("wagi/cgi.wasm")));
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), null, null,
                List.of()))) {
            for (String route : List.of("first", "second")) {
                HttpResponse<String> env = client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + "/" + route))
                        .header("x-mode", "env").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(env.statusCode()).isEqualTo(200);
                assertThat(env.body()).as(route).contains("argv[0]=" + route + "\n");
            }
        }
    }

    /** {@code up -e KEY=VALUE}, as spin up: added to every component's environment, over the manifest's. */
    @Test
    void envFlagReachesEveryComponent() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "env", """
                [[trigger.http]]
                route = "/cgi"
                component = "cgi"
                executor = { type = "wagi" }
                [component.cgi]
                source = "%s"
                environment = { FROM_MANIFEST = "m", OVERRIDDEN = "manifest" }
                """.formatted(TestApps.WASM_EXEC_GUESTS.resolve("wagi/cgi.wasm")));
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), null, null,
                List.of(), java.util.Map.of("GREETING", "hello world", "OVERRIDDEN", "cli")))) {
            HttpResponse<String> env = client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + "/cgi"))
                    .header("x-mode", "env").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(env.body()).contains("\nGREETING=hello world\n", "\nFROM_MANIFEST=m\n", "\nOVERRIDDEN=cli\n");
        }
    }

    /** Issue 8 item 14: the banner lists --proxy routes; every meter on /metrics has help text. */
    @Test
    void bannerListsProxyRoutesAndEveryMeterHasHelp() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.default]
                    type = "redis"
                    url = "%s"
                    """.formatted(redis.uri()));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            ListenAddress admin = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, temp.resolve("state"), runtimeConfig,
                    admin, List.of(dev.edge.routes.ProxyRoute.parse("/api/...=http://127.0.0.1:9/v1"))))) {
                ByteArrayOutputStream banner = new ByteArrayOutputStream();
                app.printBanner(new PrintStream(banner, true, StandardCharsets.UTF_8), listen);
                assertThat(banner.toString(StandardCharsets.UTF_8)).contains(
                        "Proxy routes (--proxy, checked before the routes above):\n  " + listen.baseUrl()
                                + "/api/... -> http://127.0.0.1:9/v1\n");
                setAndGet(listen);
                // The client can have the answer before the server has finished the exchange (and counted it):
                // wait until the last request has left in flight.
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                        .pollInterval(java.time.Duration.ofMillis(10))
                        .until(() -> get(admin, "/metrics").body().contains("\nedge_http_requests_in_flight 0.0\n"));
                String metrics = get(admin, "/metrics").body();
                assertThat(metrics).contains("# HELP edge_kv_redis_op_seconds ");
                // issue 12 e: latency buckets (histogram_quantile needs _bucket with le), build info, in flight
                List<String> buckets = metrics.lines()
                        .filter(l -> l.startsWith("edge_http_requests_seconds_bucket{") && l.contains("status=\"200\"")
                                && l.contains("target=\"hello-key-value-store\""))
                        .toList();
                assertThat(buckets).as(metrics).hasSizeGreaterThan(5)
                        .anySatisfy(l -> assertThat(l).contains("le=\"+Inf\"").matches(".* 2(\\.0)?"));
                assertThat(metrics).containsPattern("edge_build_info\\{java_version=\"[^\"]+\",version=\"0\\.1\\.0\"} 1(\\.0)?\n");
                assertThat(metrics).containsPattern("edge_http_requests_in_flight 0(\\.0)?\n");
                assertThat(metrics.lines().filter(l -> l.startsWith("# HELP ")))
                        .isNotEmpty()
                        .allSatisfy(help -> assertThat(help.split(" ", 4)).as(help).hasSize(4)
                                .satisfies(parts -> assertThat(parts[3]).as(help).isNotBlank()));
            }
        }
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
