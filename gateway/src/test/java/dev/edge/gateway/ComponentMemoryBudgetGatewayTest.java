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
 * A Wasm component under the node's guest memory budget, end to end (docs/runtime-config.md,
 * {@code guest_memory_budget}): while slow core-module guests hold the whole budget, a request for a component
 * (http-hello.wat, one page) cannot get its instance's initial page and is answered 503 with {@code Retry-After: 1};
 * the gateway keeps serving, and the component answers 200 once the budget has room again.
 */
class ComponentMemoryBudgetGatewayTest {
    private static final Path HELLO_COMPONENT = Path.of("../component/src/test/resources/components/http-hello.wasm")
            .toAbsolutePath().normalize();
    /** The sleep guest's memory as instantiated (2 pages): 8 of them fill the 1 MiB budget exactly. */
    private static final int SLEEPERS = 8;

    @TempDir
    Path temp;

    @Test
    void aComponentThatCannotGetItsMemoryIs503WithRetryAfterAndServedAgainOnceThereIsRoom() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "component-budget",
                TestApps.component("/slow/...", "slow", TestApps.wasmExecGuest("sleep"))
                        + TestApps.component("/hello", "hello", HELLO_COMPONENT)
                        + TestApps.staticResponse("/static", "still here"));
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "memory"
                [guest_limits]
                request_timeout = "20s"
                [execution]
                guest_memory_budget = "1MiB"
                max_concurrent_guests = 16
                max_concurrent_per_component = 12
                """);
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        ListenAddress admin = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), runtimeConfig,
                admin, List.of()))) {
            assertThat(AsyncGet.send(listen, "/hello").join().statusCode()).as("served while the budget has room").isEqualTo(200);

            List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < SLEEPERS; i++) {
                slow.add(AsyncGet.send(listen, "/slow/10000"));
            }
            // Every sleeper runs (10 s: long enough on a busy machine), holding its 2 pages: the budget is full (the
            // component's idle instance was reclaimed to make room for them).
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> AdminMetrics.sample(admin, "edge_guests_executing") == SLEEPERS);

            HttpResponse<String> refused = AsyncGet.send(listen, "/hello").join();
            HttpResponse<String> staticResponse = AsyncGet.send(listen, "/static").join();
            boolean sleepersStillRunning = AdminMetrics.sample(admin, "edge_guests_executing") == SLEEPERS;

            assertThat(sleepersStillRunning).as("the component was asked while the budget was full").isTrue();
            assertThat(refused.statusCode()).as("no memory for the component's instance").isEqualTo(503);
            assertThat(refused.headers().firstValue("retry-after")).contains("1");
            assertThat(refused.body()).isEmpty();
            assertThat(staticResponse.body()).isEqualTo("still here");

            List<Integer> statuses = slow.stream().map(f -> f.join().statusCode()).toList();
            assertThat(statuses).as("the sleepers were not disturbed").containsOnly(200);
            HttpResponse<String> again = AsyncGet.send(listen, "/hello").join();
            assertThat(again.statusCode()).as("the budget has room again (idle sleepers give theirs up)").isEqualTo(200);
            assertThat(again.body()).isEqualTo("hello from a component\n");
        }
    }
}
