package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.wasm.GuestResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Hot reload at the listener ({@link IngressServer#swap}): same port, new generation, old one finishes then closes. */
class GenerationSwapTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aRequestInFlightFinishesOnTheOldGenerationWhichClosesOnlyAfterIt() throws Exception {
        CountDownLatch inSlow = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean oldClosed = new AtomicBoolean();
        AtomicBoolean oldStageClosed = new AtomicBoolean();
        int port = FreePort.next();
        try (IngressServer server = IngressServer.start("127.0.0.1", port, HttpLimits.defaults(),
                Optional.empty(), dev.edge.wasm.MemoryBudget.bodyDefault(),
                dispatcher("old", new SlowStage(inSlow, release, oldStageClosed)), () -> oldClosed.set(true))) {
            assertThat(get(port, "/")).isEqualTo("old");
            CompletableFuture<HttpResponse<String>> slow = CLIENT.sendAsync(request(port, "/slow"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(inSlow.await(10, TimeUnit.SECONDS)).isTrue();

            AtomicBoolean newClosed = new AtomicBoolean();
            assertThat(server.swap(dispatcher("new", null), () -> newClosed.set(true), Duration.ofSeconds(30)))
                    .isEqualTo(2);
            assertThat(get(port, "/")).as("new requests take the new generation at once").isEqualTo("new");
            assertThat(server.generation()).isEqualTo(2);
            assertThat(oldClosed).as("the old generation still has a request in flight").isFalse();

            release.countDown();
            HttpResponse<String> finished = slow.get(10, TimeUnit.SECONDS);
            assertThat(finished.statusCode()).isEqualTo(200);
            assertThat(finished.body()).as("finished on the generation it started on").isEqualTo("old slow");
            await().atMost(Duration.ofSeconds(10)).untilTrue(oldClosed);
            assertThat(oldStageClosed).isTrue();
            assertThat(newClosed).isFalse();
            server.close();
            assertThat(newClosed).as("closing the server closes the current generation").isTrue();
        }
    }

    @Test
    void theOldGenerationIsClosedAfterTheDrainTimeoutEvenWithARequestStuckOnIt() throws Exception {
        CountDownLatch inSlow = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean oldClosed = new AtomicBoolean();
        int port = FreePort.next();
        try (IngressServer server = IngressServer.start("127.0.0.1", port, HttpLimits.defaults(),
                Optional.empty(), dev.edge.wasm.MemoryBudget.bodyDefault(),
                dispatcher("old", new SlowStage(inSlow, release, new AtomicBoolean())), () -> oldClosed.set(true))) {
            CompletableFuture<HttpResponse<String>> slow = CLIENT.sendAsync(request(port, "/slow"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(inSlow.await(10, TimeUnit.SECONDS)).isTrue();
            server.swap(dispatcher("new", null), () -> { }, Duration.ofMillis(200));
            await().atMost(Duration.ofSeconds(10)).untilTrue(oldClosed);
            assertThat(slow).isNotDone();
            release.countDown();
            slow.get(10, TimeUnit.SECONDS);
        }
    }

    private static SpinDispatcher dispatcher(String body, IngressStage stage) {
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/...", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), body)), Executor.http()));
        return new SpinDispatcher(new SpinRouter(triggers), Map.of(), stage == null ? List.of() : List.of(stage),
                body, "1", null);
    }

    /** Holds {@code /slow} until released, then answers; records being closed. */
    private record SlowStage(CountDownLatch entered, CountDownLatch release, AtomicBoolean closed)
            implements IngressStage {
        @Override
        public Decision decide(IngressRequest head) {
            if (!head.target().path().equals("/slow")) {
                return PASS;
            }
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Answer(new GuestResponse(200, List.of(), "old slow".getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String name() {
            return "slow";
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build();
    }

    private static String get(int port, String path) throws Exception {
        return CLIENT.send(request(port, path), HttpResponse.BodyHandlers.ofString()).body();
    }
}
