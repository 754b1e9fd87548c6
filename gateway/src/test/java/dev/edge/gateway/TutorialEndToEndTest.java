package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key-value tutorial transcript (kv-tutorial.md) against the real gateway process serving the example
 * app examples/hello-key-value-store, with a restart in the middle on the same state directory.
 */
class TutorialEndToEndTest {
    private static final Path MANIFEST = Path.of("../examples/hello-key-value-store/spin.toml").toAbsolutePath().normalize();
    private static final String INVALID_PAYLOAD =
            "Invalid payload received.\nExpecting {\"firstName\": \"some\", \"lastName\": \"some\"}";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    @Test
    void tutorialTranscriptSurvivesARestart() throws Exception {
        Path stateDir = temp.resolve("state");
        int port = FreePort.next();
        int adminPort = FreePort.next();
        String base = "http://127.0.0.1:" + port;

        try (GatewayProcess gateway = GatewayProcess.start("up", "--from", MANIFEST.toString(),
                "--listen", "127.0.0.1:" + port, "--state-dir", stateDir.toString(),
                "--admin-listen", "127.0.0.1:" + adminPort).awaitServing()) {
            assertThat(gateway.stdout()).containsExactly(
                    "Storing default key-value data to \"" + stateDir.resolve("sqlite_key_value.db") + "\".",
                    "",
                    "Serving " + base,
                    "Available Routes:",
                    "  hello-key-value-store: " + base + " (wildcard)");

            // $ curl -iX POST -H 'content-type: application/json' -d '{"firstName": ...}' localhost:3000/set/rs
            HttpResponse<byte[]> set = send(HttpRequest.newBuilder(URI.create(base + "/set/rs"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"firstName\": \"River\", \"lastName\": \"Scott\"}")));
            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(set.body()).isEmpty();
            assertThat(set.headers().firstValueAsLong("content-length")).hasValue(0);
            assertStored(base);

            HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains(
                    "edge_http_requests_seconds_count{status=\"200\",target=\"hello-key-value-store\"} 2");

            assertThat(gateway.terminate()).as("exit code after SIGTERM").isIn(0, 143);
        }
        assertThat(stateDir.resolve("sqlite_key_value.db")).exists();

        try (GatewayProcess gateway = GatewayProcess.start("up", "--from", MANIFEST.toString(),
                "--listen", "127.0.0.1:" + port, "--state-dir", stateDir.toString()).awaitServing()) {
            // Still there after the restart.
            assertStored(base);

            HttpResponse<byte[]> unknown = send(HttpRequest.newBuilder(URI.create(base + "/get/nobody")).GET());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).isEmpty();

            HttpResponse<String> missingFirstName = sendText(HttpRequest.newBuilder(URI.create(base + "/set/x"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"lastName\": \"Scott\"}")));
            assertThat(missingFirstName.statusCode()).isEqualTo(400);
            assertThat(missingFirstName.body()).isEqualTo(INVALID_PAYLOAD);

            HttpResponse<String> malformed = sendText(HttpRequest.newBuilder(URI.create(base + "/set/x"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"firstName\": \"River\", ")));
            assertThat(malformed.statusCode()).isEqualTo(400);
            assertThat(send(HttpRequest.newBuilder(URI.create(base + "/get/x")).GET()).statusCode()).isEqualTo(404);

            HttpResponse<String> health = sendText(HttpRequest.newBuilder(URI.create(base + "/.well-known/spin/health")));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("OK");
            HttpResponse<String> info = sendText(HttpRequest.newBuilder(URI.create(base + "/.well-known/spin/info")));
            assertThat(info.body()).isEqualTo("{\"name\":\"hello-key-value-store\",\"version\":\"0.1.0\"}");
            assertThat(sendText(HttpRequest.newBuilder(URI.create(base + "/.well-known/spin/nope"))).statusCode())
                    .isEqualTo(404);

            // The app's catch-all route answers 404 itself (like itty-router's AutoRouter) for paths it
            // does not know; the gateway's own empty 404 is covered by CliTest and IngressServerTest.
            HttpResponse<byte[]> noMatch = send(HttpRequest.newBuilder(URI.create(base + "/nowhere")).GET());
            assertThat(noMatch.statusCode()).isEqualTo(404);

            assertThat(gateway.terminate()).isIn(0, 143);
            assertThat(gateway.stderr()).noneMatch(line -> line.contains("Exception"));
        }
        assertThat(Files.size(stateDir.resolve("sqlite_key_value.db"))).isPositive();
    }

    private void assertStored(String base) throws Exception {
        // $ curl -iX GET localhost:3000/get/rs
        HttpResponse<byte[]> get = send(HttpRequest.newBuilder(URI.create(base + "/get/rs")).GET());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValue("content-type")).contains("application/json");
        assertThat(get.headers().firstValueAsLong("content-length")).hasValue(40);
        assertThat(new String(get.body(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"firstName\":\"River\",\"lastName\":\"Scott\"}");
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> sendText(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
