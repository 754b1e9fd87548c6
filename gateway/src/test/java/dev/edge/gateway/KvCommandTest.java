package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.kv.testing.RedisServerProcess;
import dev.edge.kv.testing.RedisTopology;
import dev.edge.routes.FreePort;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edge kv}: an operator reads and writes exactly the keys the running app's components see (same
 * SQLite file from another process, same Redis namespace), and a kv route follows a key set with it.
 */
class KvCommandTest {
    private static final Path TUTORIAL = Path.of("../examples/hello-key-value-store/spin.toml").toAbsolutePath().normalize();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    private record Result(int exitCode, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    private static Result kv(InputStream in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "kv";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = EdgeMain.run(all, in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(1));
        return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    private static Result kv(String... args) {
        return kv(InputStream.nullInputStream(), args);
    }

    private static String[] with(String[] source, String... args) {
        String[] all = new String[source.length + args.length];
        System.arraycopy(args, 0, all, 0, 1); // the subcommand first
        System.arraycopy(source, 0, all, 1, source.length);
        System.arraycopy(args, 1, all, 1 + source.length, args.length - 1);
        return all;
    }

    private static void assertOk(Result result) {
        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void sqliteRoundTripsWhileUpServesTheSameFileFromAnotherProcess() throws Exception {
        Path stateDir = temp.resolve("state");
        int port = FreePort.next();
        String base = "http://127.0.0.1:" + port;
        String[] source = {"--from", TUTORIAL.toString(), "--state-dir", stateDir.toString()};
        try (GatewayProcess gateway = GatewayProcess.start("up", "--from", TUTORIAL.toString(),
                "--listen", "127.0.0.1:" + port, "--state-dir", stateDir.toString()).awaitServing()) {
            // operator -> component
            String json = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}";
            assertOk(kv(with(source, "set", "rs", json)));
            HttpResponse<String> read = get(base + "/get/rs");
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.body()).isEqualTo(json);

            // component -> operator
            assertThat(post(base + "/set/ada", "{\"firstName\": \"Ada\", \"lastName\": \"L\"}").statusCode())
                    .isEqualTo(200);
            Result got = kv(with(source, "get", "ada"));
            assertOk(got);
            assertThat(got.text()).isEqualTo("{\"firstName\":\"Ada\",\"lastName\":\"L\"}");

            // binary values through stdin come back byte for byte
            byte[] binary = {0, 1, (byte) 0xff, '\n', (byte) 0xc3, 0x28};
            assertOk(kv(new ByteArrayInputStream(binary), with(source, "set", "bin", "--value-file", "-")));
            assertThat(kv(with(source, "get", "bin")).out()).isEqualTo(binary);
            Path file = Files.write(temp.resolve("value.bin"), binary);
            assertOk(kv(with(source, "set", "bin2", "--value-file", file.toString())));
            assertThat(kv(with(source, "get", "bin2")).out()).isEqualTo(binary);

            // list: one key per line, sorted, with a prefix
            assertThat(kv(with(source, "list")).text()).isEqualTo("ada\nbin\nbin2\nrs\n");
            assertThat(kv(with(source, "list", "--prefix", "bin")).text()).isEqualTo("bin\nbin2\n");

            // operator writes while the gateway writes the same file: neither side is refused (WAL, busy timeout)
            CompletableFuture<List<Integer>> guestWrites = CompletableFuture.supplyAsync(() -> {
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    statuses.add(post(base + "/set/g" + i, "{\"firstName\": \"G\", \"lastName\": \"" + i + "\"}")
                            .statusCode());
                }
                return statuses;
            });
            for (int i = 0; i < 30; i++) {
                assertOk(kv(with(source, "set", "op" + i, "{\"n\":" + i + "}")));
            }
            assertThat(guestWrites.get()).containsOnly(200);
            assertThat(kv(with(source, "list", "--prefix", "g")).text().lines()).hasSize(30);
            assertThat(get(base + "/get/op29").body()).isEqualTo("{\"n\":29}");

            // delete: gone for the component too; a missing key is exit 1 with one line
            assertOk(kv(with(source, "delete", "rs", "never-there")));
            assertThat(get(base + "/get/rs").statusCode()).isEqualTo(404);
            Result missing = kv(with(source, "get", "rs"));
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.out()).isEmpty();
            assertThat(missing.err()).isEqualTo("Error: no key 'rs' in store 'default' of app 'hello-key-value-store'"
                    + System.lineSeparator());
            assertThat(gateway.stderr()).noneMatch(line -> line.contains("Exception") || line.contains("BUSY"));
        }
    }

    @Test
    void redisRoundTripsInTheAppsNamespaceAndAKvRouteFollowsAKeySetWithIt() throws Exception {
        try (RedisTopology redis = RedisTopology.primaryWithReplicas(1);
             EchoUpstream blue = new EchoUpstream("blue");
             EchoUpstream green = new EchoUpstream("green")) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.default]
                    type = "redis"
                    url = "%s"
                    replica_url = "%s"
                    region = "eu-west"

                    [[kv_route]]
                    route = "/api/..."
                    key = "upstream:api"
                    allowed_upstreams = ["http://127.0.0.1:*"]
                    """.formatted(redis.primary().uri(), redis.replica(0).uri()));
            Path manifest = KvRoutingGatewayTest.staticManifest(temp);
            String[] source = {"--from", manifest.toString(), "--runtime-config-file", runtimeConfig.toString(),
                    "--state-dir", temp.resolve("state").toString()};
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"),
                    runtimeConfig, null, List.of()))) {
                assertThat(get(listen.baseUrl() + "/api/x").body()).isEqualTo("from manifest"); // no key: passed on
                for (EchoUpstream upstream : List.of(blue, green, blue)) {
                    // $ edge kv set upstream:api http://10.0.0.6:9000
                    assertOk(kv(with(source, "set", "upstream:api", upstream.url())));
                    String expected = (upstream == green ? "green" : "blue") + " GET /x";
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                            .until(() -> get(listen.baseUrl() + "/api/x").body().equals(expected));
                }
                // the app's namespace on the primary: edge:{<app>/<label>}:<key>
                assertThat(redis.primary().command("GET", "edge:{" + KvRoutingGatewayTest.APP + "/default}:upstream:api"))
                        .isEqualTo(blue.url());
                Result got = kv(with(source, "get", "upstream:api"));
                assertOk(got);
                assertThat(got.text()).isEqualTo(blue.url());
                assertOk(kv(with(source, "set", "other", "x")));
                assertThat(kv(with(source, "list", "--prefix", "upstream:")).text()).isEqualTo("upstream:api\n");
                assertThat(kv(with(source, "list")).text()).isEqualTo("other\nupstream:api\n");
                // another app's namespace is another set of keys
                assertThat(kv(with(source, "list", "--app", "someone-else")).text()).isEmpty();

                assertOk(kv(with(source, "delete", "upstream:api")));
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                        .until(() -> get(listen.baseUrl() + "/api/x").body().equals("from manifest"));
            }
        }
    }

    @Test
    void aKvRouteOnTheSqliteStoreFollowsAKeySetWithIt() throws Exception {
        try (EchoUpstream blue = new EchoUpstream("blue");
             EchoUpstream green = new EchoUpstream("green")) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.routing]
                    type = "spin"
                    path = "%s"

                    [[kv_route]]
                    route = "/api/..."
                    store = "routing"
                    key = "upstream:api"
                    allowed_upstreams = ["http://127.0.0.1:*"]
                    """.formatted(temp.resolve("routing.db")));
            Path manifest = KvRoutingGatewayTest.staticManifest(temp);
            String[] source = {"--from", manifest.toString(), "--runtime-config-file", runtimeConfig.toString(),
                    "--state-dir", temp.resolve("state").toString(), "--store", "routing"};
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"),
                    runtimeConfig, null, List.of()))) {
                for (EchoUpstream upstream : List.of(blue, green)) {
                    assertOk(kv(with(source, "set", "upstream:api", upstream.url())));
                    // the SQLite store has no cache: the next request already follows the key
                    assertThat(get(listen.baseUrl() + "/api/x").body())
                            .isEqualTo((upstream == green ? "green" : "blue") + " GET /x");
                }
                assertOk(kv(with(source, "delete", "upstream:api")));
                assertThat(get(listen.baseUrl() + "/api/x").body()).isEqualTo("from manifest");
            }
        }
    }

    @Test
    void badRequestsGetOneLineAndExitOne() throws Exception {
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.cache]
                type = "redis"
                url = "redis://127.0.0.1:%d"
                command_timeout = "300ms"

                [key_value_store.scratch]
                type = "memory"
                """.formatted(RedisServerProcess.freePort()));
        Path stateDir = temp.resolve("state");
        String[] source = {"--from", TUTORIAL.toString(), "--runtime-config-file", runtimeConfig.toString(),
                "--state-dir", stateDir.toString()};

        Result unknownStore = kv(with(source, "get", "k", "--store", "nope"));
        Result redisDown = kv(with(source, "get", "k", "--store", "cache"));
        Result memory = kv(with(source, "set", "k", "v", "--store", "scratch"));
        Result noValue = kv(with(source, "set", "k"));
        Result twoValues = kv(with(source, "set", "k", "v", "--value-file", "-"));
        Result noFile = kv(with(source, "set", "k", "--value-file", temp.resolve("absent").toString()));
        assertOk(kv(with(source, "set", "k", "v"))); // the default SQLite store works without the Redis one
        // the SQLite file belongs to the app that used it first
        try (var owner = new dev.edge.kv.sqlite.SqliteStoreBackend(stateDir.resolve("sqlite_key_value.db"),
                "hello-key-value-store")) {
            owner.claim();
        }
        Result otherApp = kv(with(source, "get", "k", "--app", "intruder"));

        assertThat(unknownStore.err()).isEqualTo("Error: no key-value store 'nope': the labels are cache, default, scratch"
                + " ('default' and the runtime config's [key_value_store.<label>])" + System.lineSeparator());
        assertThat(redisDown.err()).startsWith("Error: key_value_store.cache: ").contains("127.0.0.1");
        assertThat(memory.err()).isEqualTo("Error: store 'scratch' is of type \"memory\": its keys live inside the"
                + " running gateway only; use /kv/ on its admin listener (--admin-token-file) instead" + System.lineSeparator());
        assertThat(noValue.err()).startsWith("Error: give the value either as an argument or with --value-file");
        assertThat(twoValues.err()).endsWith("not both" + System.lineSeparator());
        assertThat(noFile.err()).startsWith("Error: --value-file " + temp.resolve("absent") + ": cannot read");
        assertThat(otherApp.err()).startsWith("Error: key-value store ").contains("belongs to app 'hello-key-value-store'");
        for (Result result : List.of(unknownStore, redisDown, memory, noValue, twoValues, noFile, otherApp)) {
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.out()).isEmpty();
            assertThat(result.err().strip()).doesNotContain("\n").doesNotContain("\tat ");
        }
        Result noSubcommand = kv();
        assertThat(noSubcommand.exitCode()).isEqualTo(2);
        assertThat(noSubcommand.err()).startsWith("Missing required subcommand: get, set, delete or list");
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String body) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                    .header("content-type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
