package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Odd keys through the tutorial app. The tutorial uses the raw (still percent-encoded) path segment as its
 * key, so a key is always ASCII; a path that does not decode to UTF-8 never reaches it (400 from the gateway).
 * A key the store refuses (over max_key_bytes) is a key-value error, which the tutorial answers with 500 by its
 * own code, as its JavaScript original does; the gateway keeps serving.
 */
class TutorialHostileKeysTest {
    private static final String RIVER = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    @Test
    void oddKeys() throws Exception {
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "memory"
                [key_value_limits]
                max_key_bytes = 256
                """);
        Path manifest = Path.of("../examples/hello-key-value-store/spin.toml");
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("s"), runtimeConfig, null,
                List.of()))) {
            // percent-escapes are part of the key, exactly as sent
            assertThat(post(listen, "/set/caf%C3%A9", RIVER).statusCode()).isEqualTo(200);
            assertThat(get(listen, "/get/caf%C3%A9").body()).isEqualTo(RIVER);
            assertThat(get(listen, "/get/caf%c3%a9").statusCode()).isEqualTo(404);
            // not UTF-8 once decoded: refused before the guest runs
            assertThat(post(listen, "/set/%ff%fe", RIVER).statusCode()).isEqualTo(400);
            assertThat(get(listen, "/get/%C3").statusCode()).isEqualTo(400);
            // over max_key_bytes: the store refuses with `other`, which the tutorial answers as it answers
            // every key-value error (503, its own choice), and nothing is stored
            String longKey = "k".repeat(300);
            assertThat(post(listen, "/set/" + longKey, RIVER).statusCode()).isEqualTo(503);
            assertThat(get(listen, "/get/" + longKey).statusCode()).isEqualTo(503);
            assertThat(get(listen, "/get/" + "k".repeat(256)).statusCode()).isEqualTo(404);
            assertThat(get(listen, "/.well-known/spin/health").body()).isEqualTo("OK");
        }
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
