package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A guest that can answer without blocking is run on Undertow's IO thread, skipping the hand-off to a worker;
 * one that cannot ({@link GuestHandler#tryInline} null) is run again on a worker (issue 9 item 4).
 */
class InlineGuestTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final AtomicInteger BLOCKING_INLINE_TRIES = new AtomicInteger();
    private static IngressServer server;
    private static int port;

    /** Answers with the thread that ran it; {@code inline} says whether it can run without blocking. */
    private record ThreadNamingGuest(String componentId, boolean inline) implements GuestHandler {
        @Override
        public GuestResponse handle(GuestRequest request) {
            return answer("handle");
        }

        @Override
        public GuestResponse tryInline(GuestRequest request) {
            if (!inline) {
                BLOCKING_INLINE_TRIES.incrementAndGet();
                return null;
            }
            return answer("inline");
        }

        private static GuestResponse answer(String how) {
            return new GuestResponse(200, List.of(),
                    (how + " on " + Thread.currentThread().getName()).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() {}
    }

    @BeforeAll
    static void start() throws Exception {
        HttpTrigger pure = new HttpTrigger("/pure", false, Optional.of("pure"), Optional.empty(), Executor.http());
        HttpTrigger blocking = new HttpTrigger("/blocking", false, Optional.of("blocking"), Optional.empty(),
                Executor.http());
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(List.of(pure, blocking)),
                Map.of(pure, new ThreadNamingGuest("pure", true), blocking, new ThreadNamingGuest("blocking", false)),
                List.of(), "inline", "1", null);
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void aGuestThatNeedNotBlockRunsOnTheIoThread() throws Exception {
        assertThat(get("/pure")).startsWith("inline on ").contains("I/O");
    }

    @Test
    void withAStageThatPassedTheRequestTheGuestStillRunsOnTheIoThread() throws Exception {
        HttpTrigger pure = new HttpTrigger("/pure", false, Optional.of("pure"), Optional.empty(), Executor.http());
        IngressStage passing = new IngressStage() {
            @Override public Decision decide(IngressRequest head) { return PASS; }
            @Override public boolean mayBlock() { return false; }
            @Override public String name() { return "passing"; }
        };
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(List.of(pure)),
                Map.of(pure, new ThreadNamingGuest("pure", true)), List.of(passing), "staged", "1", null);
        int stagedPort = FreePort.next();
        IngressServer staged = IngressServer.start("127.0.0.1", stagedPort, 1 << 20, dispatcher);
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + stagedPort + "/pure")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).startsWith("inline on ").contains("I/O");
        } finally {
            staged.close();
        }
    }

    @Test
    void aGuestThatMustBlockIsRunAgainOnAWorker() throws Exception {
        int tries = BLOCKING_INLINE_TRIES.get();
        String answer = get("/blocking");
        assertThat(answer).startsWith("handle on ").doesNotContain("I/O");
        assertThat(BLOCKING_INLINE_TRIES.get()).isEqualTo(tries + 1);
    }
}
