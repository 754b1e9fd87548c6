package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.wasm.GuestAdmission;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests waiting for a guest slot hold no thread (issue 9): the ingress parks the exchange until the guest is
 * admitted. With more requests queued than Undertow has workers, another component's request (which needs a
 * worker) and health still answer.
 */
class QueuedGuestsHoldNoThreadTest {
    /** Undertow's default worker pool: 8 per IO thread, max(cores, 2) IO threads. */
    private static final int WORKERS = 8 * Math.max(Runtime.getRuntime().availableProcessors(), 2);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Runs on a worker only (never inline); the slow one waits for {@code gate}. */
    private record WorkerGuest(String componentId, CountDownLatch gate) implements GuestHandler {
        @Override
        public GuestResponse handle(GuestRequest request) {
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new GuestResponse(200, List.of(), componentId.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() {}
    }

    private static HttpRequest get(int port, String path) {
        return get(port, path, Duration.ofSeconds(60));
    }

    private static HttpRequest get(int port, String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout).build();
    }

    @Test
    void moreQueuedRequestsThanWorkersLeaveWorkersForOtherComponentsAndHealth() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        GuestAdmission admission = new GuestAdmission(new GuestAdmission.Limits(2, 4 * WORKERS, 1, Duration.ofSeconds(60)));
        HttpTrigger slow = new HttpTrigger("/slow", false, Optional.of("slow"), Optional.empty(), Executor.http());
        HttpTrigger fast = new HttpTrigger("/fast", false, Optional.of("fast"), Optional.empty(), Executor.http());
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(List.of(slow, fast)), Map.of(
                slow, admission.admit(new WorkerGuest("slow", gate)),
                fast, admission.admit(new WorkerGuest("fast", new CountDownLatch(0)))), List.of(), "queue", "1", null);
        int port = FreePort.next();
        IngressServer server = IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
        List<CompletableFuture<HttpResponse<String>>> queued = new ArrayList<>();
        try {
            int requests = WORKERS + 8;
            for (int i = 0; i < requests; i++) {
                queued.add(CLIENT.sendAsync(get(port, "/slow"), HttpResponse.BodyHandlers.ofString()));
            }
            // One runs (the slow component's bulkhead is 1), the rest wait: more than there are worker threads.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admission.executing() == 1 && admission.waiting() == requests - 1);

            HttpResponse<String> other = CLIENT.send(get(port, "/fast", Duration.ofSeconds(10)),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(other.body()).isEqualTo("fast");
            HttpResponse<String> health = CLIENT.send(get(port, "/.well-known/spin/health"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            gate.countDown();
            for (CompletableFuture<HttpResponse<String>> f : queued) {
                assertThat(f.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            assertThat(admission.executing()).isZero();
        } finally {
            gate.countDown();
            server.close();
        }
    }

    @Test
    void pastTheQueueBoundTheAnswerIs503WithRetryAfterAtOnce() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        GuestAdmission admission = new GuestAdmission(new GuestAdmission.Limits(1, 1, 1, Duration.ofSeconds(60)));
        HttpTrigger slow = new HttpTrigger("/slow", false, Optional.of("slow"), Optional.empty(), Executor.http());
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(List.of(slow)),
                Map.of(slow, admission.admit(new WorkerGuest("slow", gate))), List.of(), "queue", "1", null);
        int port = FreePort.next();
        IngressServer server = IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
        try {
            var running = CLIENT.sendAsync(get(port, "/slow"), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(30)).until(() -> admission.executing() == 1);
            var waiting = CLIENT.sendAsync(get(port, "/slow"), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(30)).until(() -> admission.waiting() == 1);

            HttpResponse<String> refused = CLIENT.send(get(port, "/slow", Duration.ofSeconds(10)),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("retry-after")).isPresent();
            gate.countDown();
            assertThat(running.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(waiting.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        } finally {
            gate.countDown();
            server.close();
        }
    }
}
