package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.routes.FreePort;
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
 * Admission control end to end (issue 9): slow guests (wasm-exec's sleep guest, no CPU used) fill every guest
 * slot and the queue; past it the gateway answers 503 with Retry-After at once, and health, static responses
 * and another component's guests keep answering.
 */
class GuestAdmissionGatewayTest {
    @TempDir
    Path temp;

    @Test
    void slowGuestsFillTheSlotsAndQueueTheRestGet503AtOnceAndHealthStillAnswers() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "admission",
                TestApps.component("/slow/...", "slow", TestApps.wasmExecGuest("sleep"))
                        + TestApps.component("/hello", "hello", TestApps.wasmExecGuest("hello"))
                        + TestApps.staticResponse("/static", "still here"));
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "memory"
                [guest_limits]
                request_timeout = "20s"
                [execution]
                max_concurrent_guests = 3
                max_queued_guests = 1
                max_concurrent_per_component = 2
                """);
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        ListenAddress admin = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), runtimeConfig,
                admin, List.of()))) {
            // As many slow requests as Undertow has workers: without admission they would hold every one.
            List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                slow.add(AsyncGet.send(listen, "/slow/3000"));
            }
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> AdminMetrics.sample(admin, "edge_guests_executing") == 2
                            && AdminMetrics.sample(admin, "edge_guests_waiting") == 1);

            HttpResponse<String> refused = AsyncGet.send(listen, "/slow/0").join();
            HttpResponse<String> health = AsyncGet.send(listen, "/.well-known/spin/health").join();
            HttpResponse<String> staticResponse = AsyncGet.send(listen, "/static").join();
            HttpResponse<String> otherComponent = AsyncGet.send(listen, "/hello").join();

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("retry-after")).contains("1");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(staticResponse.body()).isEqualTo("still here");
            assertThat(otherComponent.statusCode()).isEqualTo(200); // the slow component's bulkhead left it a slot
            assertThat(AdminMetrics.sample(admin, "edge_guests_executing")).as("all answered while the slow guests ran")
                    .isEqualTo(2);

            List<Integer> statuses = slow.stream().map(f -> f.join().statusCode()).sorted().toList();
            assertThat(statuses.stream().filter(s -> s == 200).count()).as(statuses.toString()).isEqualTo(3);
            assertThat(statuses.stream().filter(s -> s == 503).count()).as(statuses.toString()).isEqualTo(13);
            // issue 12: the admission figures an operator graphs (docs/observability.md)
            assertThat(AdminMetrics.sample(admin, "edge_guests_rejected_total")).isEqualTo(14);
            assertThat(AdminMetrics.sample(admin, "edge_guests_limit")).isEqualTo(3);
            assertThat(AdminMetrics.sample(admin, "edge_guests_queue_limit")).isEqualTo(1);
        }
    }
}
