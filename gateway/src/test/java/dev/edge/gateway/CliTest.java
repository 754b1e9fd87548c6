package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edge up} arguments, errors and the startup banner. */
class CliTest {
    @TempDir
    Path temp;

    private record Result(int exitCode, String out, String err) {}

    /** In-process: only for runs that fail before serving (a successful up blocks). */
    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EdgeMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(1));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badManifestExitsWithOneLineNamingFileAndField() throws Exception {
        Path manifest = Files.writeString(temp.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "bad"
                [[trigger.http]]
                route = "/x"
                component = "missing-component"
                """);
        Result result = run("up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + FreePort.next());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().strip()).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ")
                .startsWith(manifest.toAbsolutePath().normalize().toString())
                .contains("trigger.http[0].component");
    }

    @Test
    void aProxyUpstreamWithUserInfoOrQueryIsRefusedAtStartInOneLine() {
        Result result = run("up", "--from", temp.resolve("spin.toml").toString(),
                "--proxy", "/api/...=http://user:s3cret@127.0.0.1:9/base?x=1");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().strip()).isEqualTo("Error: --proxy '/api/...=...': upstream URL"
                + " 'http://***@127.0.0.1:9/base?x=1' must not have user info, a query or a fragment");
    }

    @Test
    void unknownFieldIsNamed() throws Exception {
        Path manifest = Files.writeString(temp.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "bad"
                colour = "blue"
                """);
        Result result = run("up", "--from", manifest.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().strip()).doesNotContain("\n").contains("spin.toml").contains("application.colour");
    }

    @Test
    void missingManifestAndUnknownKvLabel() throws Exception {
        Result missing = run("up", "--from", temp.resolve("nope/spin.toml").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err().strip()).contains("nope/spin.toml").contains("not found").doesNotContain("\n");

        Path app = Files.createDirectories(temp.resolve("app"));
        Files.copy(Path.of("../examples/hello-key-value-store/target/hello-key-value-store.wasm"), app.resolve("app.wasm"));
        Path manifest = Files.writeString(app.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "kv"
                [[trigger.http]]
                route = "/..."
                component = "kv"
                [component.kv]
                source = "app.wasm"
                key_value_stores = ["other"]
                """);
        Result unknownLabel = run("up", "--from", manifest.toString(), "--state-dir", temp.resolve("s").toString());
        assertThat(unknownLabel.exitCode()).isEqualTo(1);
        assertThat(unknownLabel.err().strip()).doesNotContain("\n")
                .contains("component.kv.key_value_stores").contains("unknown key_value_stores label 'other'");
    }

    @Test
    void componentThatIsNotWasmFailsTheLoadWithOneLine() throws Exception {
        Files.writeString(temp.resolve("broken.wasm"), "not wasm at all");
        Path manifest = Files.writeString(temp.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "broken"
                [[trigger.http]]
                route = "/..."
                component = "broken"
                [component.broken]
                source = "broken.wasm"
                """);
        Result result = run("up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + FreePort.next(),
                "--state-dir", temp.resolve("s").toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().strip()).startsWith("Error: ").contains("broken").doesNotContain("\n");
    }

    @Test
    void requiredVariableWithoutValueFailsStartup() throws Exception {
        Path manifest = Files.writeString(temp.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "vars"
                [variables]
                edge_cli_test_token = { required = true }
                [[trigger.http]]
                route = "/"
                static_response = { status_code = 200 }
                """);
        Result result = run("up", "--from", manifest.toString(), "--state-dir", temp.resolve("s").toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().strip()).contains("edge_cli_test_token").doesNotContain("\n");
    }

    @Test
    void noSubcommandIsAUsageError() {
        Result result = run();
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Missing required subcommand");
        assertThat(run("up", "--help").out()).contains("--from").contains("--listen").contains("--state-dir")
                .contains("--runtime-config-file").contains("--admin-listen").contains("--proxy");
    }

    @Test
    void badListenAddressIsAUsageError() {
        Result result = run("up", "--listen", "nonsense");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--listen").contains("host:port");
    }

    @Test
    void bannerListsRoutesLikeSpinUpAndUnmatchedPathsAre404() throws Exception {
        Path manifest = Files.writeString(temp.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "static-site"
                version = "2.0.0"
                [[trigger.http]]
                route = "/hello"
                static_response = { status_code = 200, headers = { content-type = "text/plain" }, body = "hi" }
                [[trigger.http]]
                route = "/files/..."
                static_response = { status_code = 204 }
                [[trigger.http]]
                route = { private = true }
                static_response = { status_code = 200 }
                """);
        int port = FreePort.next();
        String base = "http://127.0.0.1:" + port;
        try (GatewayProcess gateway = GatewayProcess.start("up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + port)
                .awaitServing()) {
            assertThat(gateway.stdout()).containsExactly(
                    "Storing default key-value data to \"" + temp.resolve(".spin/sqlite_key_value.db") + "\".",
                    "",
                    "Serving " + base,
                    "Available Routes:",
                    "  (static response): " + base + "/hello",
                    "  (static response): " + base + "/files (wildcard)");
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> hello = client.send(HttpRequest.newBuilder(URI.create(base + "/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(hello.body()).isEqualTo("hi");
            HttpResponse<String> none = client.send(HttpRequest.newBuilder(URI.create(base + "/other")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(404);
            assertThat(none.body()).isEmpty();
            assertThat(gateway.terminate()).isIn(0, 143);
        }
    }

    @Test
    void portInUseFailsCleanly() throws Exception {
        Path manifest = Files.writeString(temp.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "x"
                [[trigger.http]]
                route = "/"
                static_response = { status_code = 200 }
                """);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Result result = run("up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + taken.getLocalPort(),
                    "--state-dir", temp.resolve("s").toString());
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).isEqualTo("cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": address already in use" + System.lineSeparator());
        }
    }

    @Test
    void envFlagWithoutEqualsIsAUsageError() {
        Result result = run("up", "--from", temp.resolve("spin.toml").toString(), "-e", "NOVALUE");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("NOVALUE");
    }

    @Test
    void anUnknownAccessLogFormatIsAUsageError() {
        Result result = run("up", "--from", temp.resolve("spin.toml").toString(), "--access-log", "-",
                "--access-log-format", "xml");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--access-log-format").contains("expected json or combined, got 'xml'");
    }

    @Test
    void anAccessLogThatCannotBeOpenedFailsTheStartInOneLine() {
        Path file = temp.resolve("no-such-dir/access.log");
        Result result = run("up", "--from", "../examples/hello-key-value-store/spin.toml", "--state-dir",
                temp.resolve("s").toString(), "--listen", "127.0.0.1:" + FreePort.next(), "--access-log", file.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().lines().toList()).hasSize(1).first().asString()
                .startsWith("Error: --access-log " + file + ": cannot open for appending (NoSuchFileException");
    }
}
