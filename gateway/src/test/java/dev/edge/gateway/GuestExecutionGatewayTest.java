package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.routes.FreePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The execution model (issue 9) as the assembled gateway wires it, through real HTTP: the handlers the node
 * decorates (failure counters, admission) still run a trivial guest inline on the IO thread and still park queued
 * requests without a worker thread. The routes module tests each part on its own; this one catches a decorator
 * that drops either (both were lost once when the failure counters were added).
 */
class GuestExecutionGatewayTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The trivial guest of the benchmarks: three host calls, all pure (its test guest twin prints to stdout). */
    private static final Path HELLO_WORLD = Path.of("../examples/hello-world/target/hello-world.wasm").toAbsolutePath();

    @TempDir
    Path temp;

    @Test
    void aTrivialGuestIsAnsweredInlineNotOnAWorker() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "inline",
                TestApps.component("/hello", "hello", HELLO_WORLD));
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        ListenAddress admin = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), null,
                admin, List.of()))) {
            // Cold, the first runs may pass the 10 ms inline budget (class loading, JIT) and be re-run on a worker;
            // after 4 such the component tries inline once in 64 requests until one succeeds.
            for (int i = 0; i < 100; i++) {
                assertThat(AsyncGet.send(listen, "/hello").join().statusCode()).isEqualTo(200);
            }
            double answeredBefore = inline(admin, "answered");
            double abandonedBefore = inline(admin, "abandoned");
            for (int i = 0; i < 50; i++) {
                assertThat(AsyncGet.send(listen, "/hello").join().statusCode()).isEqualTo(200);
            }
            double answered = inline(admin, "answered") - answeredBefore;
            double abandoned = inline(admin, "abandoned") - abandonedBefore;
            // Warm, only a run past the budget (a descheduled thread on a busy machine) may go on to a worker.
            assertThat(answered).as("answered on the IO thread (%s abandoned)", abandoned).isGreaterThanOrEqualTo(40);
            assertThat(answered + abandoned).isLessThanOrEqualTo(50);
        }
    }

    @Test
    void queuedGuestRequestsHoldNoWorkerThread() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "queued",
                TestApps.component("/slow/...", "slow", TestApps.wasmExecGuest("sleep"))
                        + TestApps.component("/other/...", "other", TestApps.wasmExecGuest("sleep")));
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "memory"
                [guest_limits]
                request_timeout = "20s"
                [execution]
                max_concurrent_guests = 2
                max_queued_guests = 64
                max_concurrent_per_component = 1
                """);
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        ListenAddress admin = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), runtimeConfig,
                admin, List.of()))) {
            // More requests than Undertow has workers (16): one runs, the rest wait for the component's one slot.
            List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                slow.add(AsyncGet.send(listen, "/slow/2000"));
            }
            // Waiting requests that each held a worker would stop at 15 waiting (16 workers, one running the guest),
            // the rest stuck in Undertow's task queue.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> AdminMetrics.sample(admin, "edge_guests_waiting") >= 17);
            // Another component's guest (it blocks, so it needs a worker) still gets one at once.
            HttpResponse<String> other = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + listen.port() + "/other/0")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(200);
            slow.forEach(f -> f.cancel(true));
        }
    }

    private static double inline(ListenAddress admin, String outcome) throws Exception {
        return AdminMetrics.sample(admin, "edge_guest_inline_total", "component=\"hello\",outcome=\"" + outcome + "\"");
    }

}
