package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [guest_limits]} end to end: a real gateway ({@link EdgeApp}) with runaway, memory-hungry and
 * deeply recursive guests (wasm-exec's and routes' test guests), a real HTTP client, and the gateway serving
 * other requests throughout.
 */
class GuestLimitsGatewayTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path temp;
    private static EdgeApp app;
    private static ListenAddress listen;

    @BeforeAll
    static void start() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "limits",
                TestApps.component("/loop", "loop", TestApps.wasmExecGuest("loop"))
                        + TestApps.component("/memhog", "memhog", TestApps.wasmExecGuest("memhog"))
                        + TestApps.component("/recursion", "recursion", TestApps.wasmExecGuest("recursion"))
                        + TestApps.component("/hog", "hostile", TestApps.routesGuest("hostile"), "default")
                        + TestApps.staticResponse("/static", "still here"));
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "memory"
                [guest_limits]
                max_memory = "16MiB"
                request_timeout = "1s"
                max_request_body = "1KiB"
                """);
        listen = new ListenAddress("127.0.0.1", FreePort.next());
        app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), runtimeConfig, null, List.of()));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void runawayGuestIs504WithinTheDeadlineWhileOthersAreServed() throws Exception {
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> runaway = CLIENT.sendAsync(get("/loop"), HttpResponse.BodyHandlers.ofString());
        // While the guest spins, the gateway answers other requests.
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> other = CLIENT.send(get("/static"), HttpResponse.BodyHandlers.ofString());
            assertThat(other.body()).isEqualTo("still here");
        }
        HttpResponse<String> response = runaway.get();
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.body()).isEmpty();
        assertThat(elapsedMs).as("answered after the 1 s deadline plus a small margin")
                .isBetween(TIMEOUT.toMillis() - 50, TIMEOUT.toMillis() + 3_000);
        // and again: the interrupted instance was discarded, a fresh one spins and is stopped the same way
        assertThat(CLIENT.send(get("/loop"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(504);
        assertHealthy();
    }

    @Test
    void memoryHogIsCappedWithoutAJvmOutOfMemory() throws Exception {
        // malloc returns NULL at the cap: the C guest reports how much it got and answers normally
        HttpResponse<String> capped = CLIENT.send(get("/memhog"), HttpResponse.BodyHandlers.ofString());
        assertThat(capped.statusCode()).isEqualTo(200);
        int mib = Integer.parseInt(capped.body().replace("allocated=", ""));
        assertThat(mib).isBetween(1, 16);
        // a guest that aborts when allocation fails (as Rust does) traps: 500
        HttpResponse<String> aborted = CLIENT.send(get("/hog"), HttpResponse.BodyHandlers.ofString());
        assertThat(aborted.statusCode()).isEqualTo(500);
        assertThat(aborted.body()).isEmpty();
        assertHealthy();
    }

    @Test
    void deepRecursionIs500() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = CLIENT.send(get("/recursion"), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(500);
        }
        assertHealthy();
    }

    @Test
    void requestBodyLimitComesFromGuestLimits() throws Exception {
        HttpResponse<String> tooBig = CLIENT.send(HttpRequest.newBuilder(uri("/static"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1025])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tooBig.statusCode()).isEqualTo(413);
        HttpResponse<String> fits = CLIENT.send(HttpRequest.newBuilder(uri("/static"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1024])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fits.statusCode()).isEqualTo(200);
    }

    private static void assertHealthy() throws Exception {
        HttpResponse<String> health = CLIENT.send(get("/.well-known/spin/health"), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("OK");
    }

    private static HttpRequest get(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build();
    }

    private static URI uri(String path) {
        return URI.create(listen.baseUrl() + path);
    }
}
