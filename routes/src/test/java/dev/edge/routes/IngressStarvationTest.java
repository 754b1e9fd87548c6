package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.wasm.CompiledModule;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.WasmHttpHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing a few slow peers do takes the gateway's health away (issue 9): health and static responses are
 * answered on the IO thread, and request bodies are read without holding a worker. No admission control here
 * (the gateway adds it), so slow guests really do occupy every Undertow worker thread.
 */
class IngressStarvationTest {
    /** Undertow's default worker pool: 8 per IO thread, max(cores, 2) IO threads. */
    private static final int WORKERS = 8 * Math.max(Runtime.getRuntime().availableProcessors(), 2);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static DeadlineWatchdog watchdog;
    private static WasmHttpHandler sleep;
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        watchdog = new DeadlineWatchdog();
        GuestLimits limits = new GuestLimits(32L << 20, Duration.ofSeconds(30), 1L << 20, 1L << 20, WORKERS);
        CompiledModule module = CompiledModule.loadHttp("sleep",
                Path.of("../wasm-exec/src/test/resources/guests/sleep.wasm"), Optional.empty(), limits.maxMemoryBytes());
        sleep = new WasmHttpHandler(module, null, Set.of(), Map.of(), Map.of(), limits, ExecutorOptions.defaults(),
                watchdog);
        sleep.warmUp();
        List<HttpTrigger> triggers = List.of(
                new HttpTrigger("/slow/...", false, Optional.of("sleep"), Optional.empty(), Executor.http()),
                new HttpTrigger("/static", false, Optional.empty(),
                        Optional.of(new StaticResponse(200, Map.of("content-type", "text/plain"), "static")),
                        Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(triggers.get(0), sleep), List.of(),
                "starvation", "0.0.1", null);
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, limits.maxRequestBody(), dispatcher);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (sleep != null) {
            sleep.close();
        }
        if (watchdog != null) {
            watchdog.close();
        }
    }

    @Test
    void healthAndStaticAnswerWhileSlowGuestsHoldEveryWorker() throws Exception {
        int before = sleep.instancesCreated();
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < WORKERS + 4; i++) {
            slow.add(get("/slow/4000", Duration.ofSeconds(30)));
        }
        try {
            // Each running guest has its own instance: once WORKERS of them run, every worker is inside a guest.
            await().atMost(Duration.ofSeconds(20)).until(() -> sleep.instancesCreated() - before >= WORKERS - 1);

            HttpResponse<String> health = get("/.well-known/spin/health", Duration.ofSeconds(3)).join();
            HttpResponse<String> staticResponse = get("/static", Duration.ofSeconds(3)).join();
            HttpResponse<String> missing = get("/nowhere", Duration.ofSeconds(3)).join();

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("OK");
            assertThat(staticResponse.body()).isEqualTo("static");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(slow).as("answered while the guests still ran").noneMatch(CompletableFuture::isDone);
        } finally {
            CompletableFuture.allOf(slow.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        }
        slow.forEach(f -> assertThat(f.join().statusCode()).isEqualTo(200));
    }

    private static CompletableFuture<HttpResponse<String>> get(String path, Duration timeout) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Issue 9: clients trickling chunked bodies used to hold every worker; bodies are now read on the IO thread. */
    @Test
    void chunkedTrickleClientsHoldNoWorker() throws Exception {
        List<RawHttp> tricklers = new ArrayList<>();
        try {
            for (int i = 0; i < WORKERS; i++) {
                RawHttp client = new RawHttp(port);
                client.send("POST /slow/0 HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n");
                tricklers.add(client);
            }
            HttpResponse<String> health = get("/.well-known/spin/health", Duration.ofSeconds(3)).join();
            HttpResponse<String> guest = get("/slow/0", Duration.ofSeconds(3)).join();

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(guest.body()).isEqualTo("slept=0");
            // The trickles finish normally: their bodies were being read all along.
            for (RawHttp client : tricklers) {
                client.send("1\r\nb\r\n0\r\n\r\n");
                assertThat(client.readReply().status()).isEqualTo(200);
            }
        } finally {
            for (RawHttp client : tricklers) {
                client.close();
            }
        }
    }

}
