package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.kv.testing.RedisServerProcess;
import dev.edge.routes.FreePort;
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
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tutorial's own JavaScript app, built by Spin's toolchain into a component
 * (examples/hello-key-value-store-js), served by {@code edge up}'s wiring with a restart in the middle, on the
 * embedded SQLite store and on the Redis tier: the answers are the C example's, byte for byte. Every start
 * shares one on-disk compile cache ({@link #SHARED_COMPILE_CACHE}), so only the first start of a build
 * compiles the 11 MB engine module (about a minute of CPU).
 */
class JsTutorialGatewayTest {
    static final Path JS_MANIFEST = Path.of("../examples/hello-key-value-store-js/spin.toml");
    static final Path C_MANIFEST = Path.of("../examples/hello-key-value-store/spin.toml");
    /** Compiled classes of the JS engine module, shared by every test that starts the JS tutorial. */
    static final Path SHARED_COMPILE_CACHE = Path.of("target", "shared-compile-cache").toAbsolutePath();
    private static final String RIVER = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}";
    private static final String INVALID_PAYLOAD =
            "Invalid payload received.\nExpecting {\"firstName\": \"some\", \"lastName\": \"some\"}";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    /** A fresh state dir whose compile cache is the shared one. */
    static Path stateWithSharedCompileCache(Path parent) throws Exception {
        Path state = Files.createDirectories(parent.resolve("state"));
        Files.createDirectories(SHARED_COMPILE_CACHE);
        Files.createSymbolicLink(state.resolve(EdgeApp.COMPILE_CACHE_DIR), SHARED_COMPILE_CACHE);
        return state;
    }

    @Test
    void tutorialTranscriptSurvivesARestart() throws Exception {
        Path state = stateWithSharedCompileCache(temp);
        List<Answer> answers = transcript(JS_MANIFEST, state, null);
        assertThat(state.resolve(EdgeApp.COMPILE_CACHE_DIR)).isNotEmptyDirectory();
        assertTutorialAnswers(answers);
    }

    @Test
    void tutorialTranscriptOnTheRedisTierMatchesTheCExample() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.default]
                    type = "redis"
                    url = "%s"
                    """.formatted(redis.uri()));
            List<Answer> c = transcript(C_MANIFEST, Files.createDirectories(temp.resolve("c")), runtimeConfig);
            assertThat(redis.command("DBSIZE")).isEqualTo("1"); // the C example's "rs", stored in Redis
            redis.command("FLUSHALL");

            List<Answer> js = transcript(JS_MANIFEST, stateWithSharedCompileCache(temp.resolve("js")), runtimeConfig);
            assertThat(redis.command("DBSIZE")).isEqualTo("1");
            assertTutorialAnswers(js);
            assertThat(js).isEqualTo(c);
        }
    }

    /** Status, the headers a client relies on, and the body, as received. */
    record Answer(int status, Optional<String> contentType, Optional<String> contentLength, String body) {
        static Answer of(HttpResponse<byte[]> response) {
            return new Answer(response.statusCode(), response.headers().firstValue("content-type"),
                    response.headers().firstValue("content-length"),
                    new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    /**
     * The tutorial's transcript: set, restart, then get, an unknown key, a payload without lastName, and a get
     * of the refused key. Each line's answer in order. (Not malformed JSON: the tutorial's JavaScript lets
     * JSON.parse throw, so its router answers 500 where the C example answers 400, under Spin as here.)
     */
    private List<Answer> transcript(Path manifest, Path state, Path runtimeConfig) throws Exception {
        List<Answer> answers = new ArrayList<>();
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, state, runtimeConfig, null, List.of()))) {
            answers.add(send(HttpRequest.newBuilder(uri(listen, "/set/rs"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"firstName\": \"River\", \"lastName\": \"Scott\"}"))));
        }
        ListenAddress again = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, again, state, runtimeConfig, null, List.of()))) {
            answers.add(send(HttpRequest.newBuilder(uri(again, "/get/rs"))));
            answers.add(send(HttpRequest.newBuilder(uri(again, "/get/nobody"))));
            answers.add(send(HttpRequest.newBuilder(uri(again, "/set/x"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"firstName\": \"River\"}"))));
            answers.add(send(HttpRequest.newBuilder(uri(again, "/get/x"))));
        }
        return answers;
    }

    private static void assertTutorialAnswers(List<Answer> answers) {
        assertThat(answers).hasSize(5);
        assertThat(answers.get(0)).isEqualTo(new Answer(200, Optional.empty(), Optional.of("0"), ""));
        assertThat(answers.get(1)).isEqualTo(new Answer(200, Optional.of("application/json"), Optional.of("40"), RIVER));
        assertThat(answers.get(2).status()).isEqualTo(404);
        assertThat(answers.get(2).body()).isEmpty();
        assertThat(answers.get(3).status()).isEqualTo(400);
        assertThat(answers.get(3).body()).isEqualTo(INVALID_PAYLOAD);
        assertThat(answers.get(4).status()).isEqualTo(404);
    }

    private static URI uri(ListenAddress listen, String path) {
        return URI.create(listen.baseUrl() + path);
    }

    private Answer send(HttpRequest.Builder request) throws Exception {
        return Answer.of(client.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray()));
    }
}
