package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.config.UpstreamPoolConfig;
import dev.edge.config.UpstreamPoolConfig.CircuitBreaker;
import dev.edge.config.UpstreamPoolConfig.Retries;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A pool's circuit breaker against a real upstream that fails, then recovers. */
class UpstreamCircuitBreakerTest {
    private static volatile int status = 500;
    private static RawUpstream upstream;
    private static StreamingProxy proxy;
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        upstream = new RawUpstream((head, out, socket) -> RawUpstream.answering(status, "s" + status).answer(head, out, socket));
        UpstreamPoolConfig pool = UpstreamPoolConfig.of("api", List.of(upstream.url()))
                .withRetries(new Retries(0, Set.of(), Set.of(), Retries.IDEMPOTENT))
                .withCircuitBreaker(new CircuitBreaker(50, 4, Duration.ofMillis(300)));
        proxy = new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30), Map.of("api", pool));
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/...", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "from manifest")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(),
                List.of(new ProxyStage(List.of(ProxyRoute.parse("/api/...=upstream:api")), proxy)), "p", "1", null);
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        upstream.close();
    }

    private static RawHttp.Reply get() throws Exception {
        return RawHttp.exchange(port, "GET /api/x HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n");
    }

    @Test
    void aFailingPoolOpensTheBreakerAnswers503WithoutSendingThenClosesWhenATrialSucceeds() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(get().text()).as("the upstream's own answers pass while the window fills").endsWith("s500");
        }
        int sent = upstream.requests();
        for (int i = 0; i < 5; i++) {
            RawHttp.Reply reply = get();
            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.text()).doesNotEndWith("s500");
        }
        assertThat(upstream.requests()).as("nothing sent while open").isEqualTo(sent);
        status = 200;
        // After open_for one trial request goes through; it succeeds, so the breaker closes.
        await().atMost(Duration.ofSeconds(10)).until(() -> get().status() == 200);
        for (int i = 0; i < 5; i++) {
            assertThat(get().text()).endsWith("s200");
        }
    }
}
