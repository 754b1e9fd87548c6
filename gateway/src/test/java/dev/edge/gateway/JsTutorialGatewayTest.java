package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.routes.FreePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tutorial's own JavaScript app, built by Spin's toolchain into a component
 * (examples/hello-key-value-store-js), served by {@code edge up}'s wiring on the embedded SQLite store, with a
 * restart in the middle: the answers are the C example's, byte for byte. The first start compiles the 11 MB
 * engine module (about a minute of CPU); the restart loads it from the state dir's compile cache.
 */
class JsTutorialGatewayTest {
    private static final Path MANIFEST = Path.of("../examples/hello-key-value-store-js/spin.toml");
    private static final String RIVER = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    @Test
    void tutorialTranscriptSurvivesARestart() throws Exception {
        Path state = temp.resolve("state");
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, state, null, null, List.of()))) {
            HttpResponse<String> set = send(listen, HttpRequest.newBuilder(uri(listen, "/set/rs"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"firstName\": \"River\", \"lastName\": \"Scott\"}")));
            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(set.body()).isEmpty();

            HttpResponse<String> bad = send(listen, HttpRequest.newBuilder(uri(listen, "/set/x"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"firstName\": \"River\"}")));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).isEqualTo("Invalid payload received.\n"
                    + "Expecting {\"firstName\": \"some\", \"lastName\": \"some\"}");
            assertThat(send(listen, HttpRequest.newBuilder(uri(listen, "/get/nobody"))).statusCode()).isEqualTo(404);
        }
        assertThat(state.resolve(EdgeApp.COMPILE_CACHE_DIR)).isNotEmptyDirectory();

        ListenAddress again = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, again, state, null, null, List.of()))) {
            HttpResponse<String> get = send(again, HttpRequest.newBuilder(uri(again, "/get/rs")));
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(get.headers().firstValue("content-length")).hasValue("40");
            assertThat(get.body()).isEqualTo(RIVER);
        }
    }

    private static URI uri(ListenAddress listen, String path) {
        return URI.create(listen.baseUrl() + path);
    }

    private HttpResponse<String> send(ListenAddress listen, HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
