package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.sqlite.SqliteStoreBackend;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The security guarantees of docs/security.md at the gateway level: capabilities are enforced on every
 * key-value operation, applications never see each other's keys, and secrets never reach logs or errors.
 */
class SecurityGatewayTest {
    private static final String RIVER = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @TempDir
    Path temp;

    @BeforeEach
    void captureLogs() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
        logs.stop();
    }

    @Test
    void guessedAndStaleHandlesNeverReachAStore() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "security",
                TestApps.component("/guess", "hostile", TestApps.routesGuest("hostile"), "default")
                        + "[[trigger.http]]\nroute = \"/stale\"\ncomponent = \"hostile\"\n"
                        + "[[trigger.http]]\nroute = \"/write\"\ncomponent = \"hostile\"\n");
        Path stateDir = temp.resolve("state");
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, stateDir, null, null, List.of()))) {
            List<String> lines = get(listen, "/guess").body().lines().toList();
            // every operation on a handle the guest never opened fails with "other" (4), on every operation kind
            assertThat(lines.stream().filter(l -> !l.startsWith("open_") && !l.equals("close(0)=0")))
                    .hasSize(7 * 10 + 2).allMatch(l -> l.endsWith("=4"), "ends with =4");
            assertThat(lines).contains("open_secret(0)=3", "open_default(0)=0", "get_next(1)=4", "close(0)=0",
                    "get_closed(0)=4");
            // a handle from an earlier request is gone: tables are per request
            assertThat(get(listen, "/stale").body()).isEqualTo("open_default(0)=0\n");
            assertThat(get(listen, "/stale").body()).isEqualTo("get_remembered(0)=4\nset_remembered(0)=4\n");
            assertThat(get(listen, "/write").statusCode()).isEqualTo(200);
        }
        try (SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "security")) {
            KeyValueStore store = backend.open("security", "default");
            assertThat(store.getKeys()).containsExactly("hostile"); // the one write made through a real handle
        }
    }

    @Test
    void aSecondAppOnTheSameSqliteFileIsRefused() throws Exception {
        Path shared = temp.resolve("shared.db");
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"),
                "[key_value_store.default]\ntype = \"spin\"\npath = \"" + shared + "\"\n");
        Path alpha = TestApps.manifest(temp.resolve("alpha"), "alpha",
                TestApps.component("/...", "kv", TestApps.TUTORIAL, "default"));
        Path beta = TestApps.manifest(temp.resolve("beta"), "beta",
                TestApps.component("/...", "kv", TestApps.TUTORIAL, "default"));
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(alpha, listen, temp.resolve("s1"), runtimeConfig, null,
                List.of()))) {
            assertThat(post(listen, "/set/rs", RIVER).statusCode()).isEqualTo(200);
        }
        // even with alpha stopped, the file stays alpha's
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EdgeMain.run(new String[] {"up", "--from", beta.toString(), "--runtime-config-file",
                runtimeConfig.toString(), "--listen", "127.0.0.1:" + FreePort.next()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(1));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).doesNotContain("\n").contains(shared.toString())
                .contains("alpha").contains("beta");
    }

    @Test
    void twoAppsOnOneRedisNeverSeeEachOthersKeys() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"),
                    "[key_value_store.default]\ntype = \"redis\"\nurl = \"" + redis.uri() + "\"\n");
            Path alphaManifest = TestApps.manifest(temp.resolve("alpha"), "alpha",
                    TestApps.component("/...", "kv", TestApps.TUTORIAL, "default"));
            Path betaManifest = TestApps.manifest(temp.resolve("beta"), "beta",
                    TestApps.component("/...", "kv", TestApps.TUTORIAL, "default"));
            ListenAddress a = new ListenAddress("127.0.0.1", FreePort.next());
            ListenAddress b = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp alpha = EdgeApp.start(new EdgeApp.Settings(alphaManifest, a, temp.resolve("s1"), runtimeConfig,
                    null, List.of()));
                 EdgeApp beta = EdgeApp.start(new EdgeApp.Settings(betaManifest, b, temp.resolve("s2"), runtimeConfig,
                         null, List.of()))) {
                assertThat(post(a, "/set/rs", RIVER).statusCode()).isEqualTo(200);
                assertThat(get(b, "/get/rs").statusCode()).isEqualTo(404);
                String other = "{\"firstName\":\"Other\",\"lastName\":\"App\"}";
                assertThat(post(b, "/set/rs", other).statusCode()).isEqualTo(200);
                assertThat(get(a, "/get/rs").body()).isEqualTo(RIVER);
                assertThat(get(b, "/get/rs").body()).isEqualTo(other);
            }
            String keys = redis.command("KEYS", "*");
            assertThat(keys).contains("alpha").contains("beta");
        }
    }

    @Test
    void redisPasswordsNeverReachLogsOrErrors() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            redis.command("CONFIG", "SET", "requirepass", "correct-horse-battery");
            int closedPort = RedisServerProcess.freePort();
            for (String url : List.of(
                    "redis://:wrong-pass-4711@127.0.0.1:" + redis.port(),
                    "redis://default:wrong-pass-4711@127.0.0.1:" + redis.port() + "/0",
                    "redis://:wrong-pass-4711@127.0.0.1:" + closedPort)) {
                Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"),
                        "[key_value_store.default]\ntype = \"redis\"\nurl = \"" + url + "\"\n");
                Path manifest = TestApps.manifest(temp.resolve("app"), "redis-auth",
                        TestApps.component("/...", "kv", TestApps.TUTORIAL, "default"));
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int code = EdgeMain.run(new String[] {"up", "--from", manifest.toString(), "--runtime-config-file",
                        runtimeConfig.toString(), "--listen", "127.0.0.1:" + FreePort.next()},
                        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new CountDownLatch(1));
                assertThat(code).as(url).isEqualTo(1);
                assertThat(err.toString(StandardCharsets.UTF_8)).as(url).contains("***").doesNotContain("wrong-pass-4711");
                Throwable thrown = catchThrowable(() -> EdgeApp.start(new EdgeApp.Settings(manifest,
                        new ListenAddress("127.0.0.1", FreePort.next()), temp.resolve("s"), runtimeConfig, null, List.of())));
                assertThat(thrown).as(url).isNotNull();
                assertThat(chain(thrown)).as(url).doesNotContain("wrong-pass-4711");
            }
            // a working password, then the server goes away under load: failures are logged, the password is not
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"),
                    "[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://:correct-horse-battery@127.0.0.1:"
                            + redis.port() + "\"\ncommand_timeout = \"300ms\"\n");
            Path manifest = TestApps.manifest(temp.resolve("app2"), "redis-ok",
                    TestApps.component("/...", "kv", TestApps.TUTORIAL, "default"));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("s2"), runtimeConfig,
                    null, List.of()))) {
                assertThat(post(listen, "/set/rs", RIVER).statusCode()).isEqualTo(200);
                redis.kill();
                for (int i = 0; i < 3; i++) {
                    assertThat(post(listen, "/set/rs" + i, RIVER).statusCode()).isGreaterThanOrEqualTo(500);
                }
            }
            assertThat(logs.list).isNotEmpty();
            assertNoLogContains("correct-horse-battery");
            assertNoLogContains("wrong-pass-4711");
        }
    }

    @Test
    void secretVariablesNeverReachLogs() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "secrets", """
                [variables]
                api_token = { default = "tok-SECRET-8086", secret = true }
                """ + TestApps.component("/trap", "trap", TestApps.wasmExecGuest("trap"))
                + "variables = { token = \"{{ api_token }}\" }\n"
                + TestApps.component("/hello", "hello", TestApps.wasmExecGuest("hello"))
                + "variables = { api_base = \"{{ api_token }}\" }\n");
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("s"), null, null, List.of()))) {
            assertThat(get(listen, "/trap").statusCode()).isEqualTo(500);
            // the guest may read its variable (that is what it is for) ...
            assertThat(get(listen, "/hello").body()).contains("tok-SECRET-8086");
        }
        // ... but the gateway never logs it
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("trap"));
        assertNoLogContains("tok-SECRET-8086");
    }

    private void assertNoLogContains(String secret) {
        List<String> leaks = new ArrayList<>();
        for (ILoggingEvent event : List.copyOf(logs.list)) {
            String text = event.getFormattedMessage() + " " + proxyChain(event.getThrowableProxy());
            if (text.contains(secret)) {
                leaks.add(event.getLoggerName() + ": " + text);
            }
        }
        assertThat(leaks).as("log lines containing a secret").isEmpty();
    }

    private static String proxyChain(IThrowableProxy proxy) {
        StringBuilder text = new StringBuilder();
        for (IThrowableProxy p = proxy; p != null; p = p.getCause()) {
            text.append(p.getClassName()).append(": ").append(p.getMessage()).append(" | ");
            for (IThrowableProxy suppressed : p.getSuppressed()) {
                text.append(proxyChain(suppressed));
            }
        }
        return text.toString();
    }

    private static String chain(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append(" | ");
        }
        return text.toString();
    }

    private HttpResponse<String> get(ListenAddress listen, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(ListenAddress listen, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
