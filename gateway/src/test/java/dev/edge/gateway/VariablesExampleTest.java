package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/variables end to end, with the gateway as a subprocess (the real jar main) and its environment:
 * defaults, SPIN_VARIABLE_x overrides, a missing required variable, and a secret that must never reach the
 * gateway's stdout or stderr, not even at debug log level, when the guest traps or the config is bad.
 */
class VariablesExampleTest {
    private static final Path EXAMPLE = Path.of("../examples/variables");
    private static final String SECRET = "tok-9f3c-S3CRET-7d21";

    @TempDir
    Path app;

    @BeforeEach
    void copyExample() throws Exception {
        Files.createDirectories(app.resolve("target"));
        for (String file : List.of("spin.toml", "target/variables.wasm")) {
            Files.copy(EXAMPLE.resolve(file), app.resolve(file));
        }
    }

    @Test
    void defaultsEnvOverridesAndTheSecretStaysOutOfTheLogsWhenTheGuestTraps() throws Exception {
        int port = FreePort.next();
        String base = "http://127.0.0.1:" + port;
        Map<String, String> env = Map.of("SPIN_VARIABLE_API_TOKEN", SECRET, "SPIN_VARIABLE_GREETING", "Howdy",
                "EDGE_LOG_LEVEL", "DEBUG");
        try (GatewayProcess gateway = GatewayProcess.start(env, "up", "--from", app.toString(), "--listen",
                "127.0.0.1:" + port).awaitServing()) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> root = get(client, base + "/");
            assertThat(root.statusCode()).isEqualTo(200);
            // greeting: the env override inside the component's template; api_host: the manifest default
            assertThat(root.body()).isEqualTo("""
                    greeting: Howdy, edge!
                    api_url: https://api.example.com/v1
                    api_token: %d bytes (secret, not shown)
                    """.formatted(SECRET.length()));
            assertThat(get(client, base + "/missing").statusCode()).isEqualTo(404);

            HttpResponse<String> trap = get(client, base + "/trap");
            assertThat(trap.statusCode()).isEqualTo(500);
            assertThat(trap.body()).isEmpty();
            // the trap was logged (so the check below looks at real log output), without the secret
            org.awaitility.Awaitility.await().until(() -> gateway.stderr().stream().anyMatch(l -> l.contains("trapped")));
            gateway.terminate();
            assertNoSecret(gateway);
        }
    }

    @Test
    void missingRequiredVariableFailsStartupNamingIt() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(Map.of(), "up", "--from", app.toString(), "--listen",
                "127.0.0.1:" + FreePort.next())) {
            assertThat(gateway.awaitExit()).isEqualTo(1);
            assertThat(String.join("\n", gateway.stderr())).isEqualTo(app.resolve("spin.toml")
                    + ": variables.api_token: required variable 'api_token' has no value; set SPIN_VARIABLE_API_TOKEN"
                    + " or EDGE_VARIABLE_API_TOKEN");
        }
    }

    @Test
    void badConfigurationsNeverShowTheSecret() throws Exception {
        String manifest = Files.readString(app.resolve("spin.toml"));
        List<String> brokenManifests = List.of(
                // the secret's own line is broken, with the secret as a manifest default
                manifest.replace("api_token = { required = true, secret = true }",
                        "api_token = { default = \"" + SECRET + "\" secret = true }"),
                manifest.replace("api_token = { required = true, secret = true }",
                        "api_token = { default = " + SECRET + ", secret = true }"),
                manifest.replace("api_token = { required = true, secret = true }",
                        "api_token = { default = \"" + SECRET + "\", secret = true, required = true }"),
                // a later error, once the secret (from the environment) is known
                manifest.replace("api_token = \"{{ api_token }}\"", "api_token = \"{{ api_token }}\"\n"
                        + "other = \"{{ api_token }}{{ nope }}\""),
                // a component that is not wasm, with the secret known
                manifest.replace("target/variables.wasm", "spin.toml"));
        List<String> stderrs = new ArrayList<>();
        for (String broken : brokenManifests) {
            Files.writeString(app.resolve("spin.toml"), broken);
            try (GatewayProcess gateway = GatewayProcess.start(Map.of("SPIN_VARIABLE_API_TOKEN", SECRET,
                    "EDGE_LOG_LEVEL", "DEBUG"), "up", "--from", app.toString(), "--listen",
                    "127.0.0.1:" + FreePort.next())) {
                int exit = gateway.awaitExit();
                stderrs.add(exit + " " + gateway.stderr());
                assertThat(exit).as(broken).isEqualTo(1);
                assertThat(gateway.stderr()).as(broken).isNotEmpty();
                assertNoSecret(gateway);
            }
        }
        assertThat(stderrs).doesNotHaveDuplicates();
    }

    @Test
    void aBadRuntimeConfigNeverShowsTheSecret() throws Exception {
        Path runtimeConfig = Files.writeString(app.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "redis"
                url = "redis://:%s@127.0.0.1:1/0?x=1"
                """.formatted(SECRET));
        try (GatewayProcess gateway = GatewayProcess.start(Map.of("SPIN_VARIABLE_API_TOKEN", SECRET,
                "EDGE_LOG_LEVEL", "DEBUG"), "up", "--from", app.toString(), "--listen",
                "127.0.0.1:" + FreePort.next(), "--runtime-config-file", runtimeConfig.toString())) {
            assertThat(gateway.awaitExit()).isEqualTo(1);
            assertThat(String.join("\n", gateway.stderr())).contains("runtime-config.toml");
            assertNoSecret(gateway);
        }
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertNoSecret(GatewayProcess gateway) {
        assertThat(gateway.stdout()).noneMatch(line -> line.contains(SECRET));
        assertThat(gateway.stderr()).noneMatch(line -> line.contains(SECRET));
    }
}
