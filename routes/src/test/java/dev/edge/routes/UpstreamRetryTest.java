package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.config.UpstreamPoolConfig;
import dev.edge.config.UpstreamPoolConfig.Failure;
import dev.edge.config.UpstreamPoolConfig.Retries;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retries only where safe, counted at real upstreams: a request the upstream may have acted on is sent again only
 * for an idempotent method with no body; a connect failure (nothing sent) is tried elsewhere for every method.
 */
class UpstreamRetryTest {
    private static final List<AutoCloseable> CLOSE = new ArrayList<>();
    private static final Map<String, Integer> SEEN = new ConcurrentHashMap<>();
    private static IngressServer server;
    private static int port;
    private static RawUpstream flaky;
    private static RawUpstream closes;
    private static RawUpstream fine;

    /** The request line's path. */
    private static String path(String head) {
        return head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
    }

    @BeforeAll
    static void start() throws Exception {
        // 503 the first time a path is asked for, 200 after.
        flaky = new RawUpstream((head, out, socket) -> {
            boolean first = SEEN.merge(path(head), 1, Integer::sum) == 1;
            RawUpstream.answering(first ? 503 : 200, first ? "busy" : "done").answer(head, out, socket);
        });
        closes = new RawUpstream(RawUpstream.CLOSE);
        fine = new RawUpstream(RawUpstream.answering(200, "fine"));
        CLOSE.addAll(List.of(flaky, closes, fine));
        URI dead = URI.create("http://127.0.0.1:" + FreePort.next());
        Map<String, UpstreamPoolConfig> pools = new LinkedHashMap<>();
        pools.put("flaky", UpstreamPoolConfig.of("flaky", List.of(flaky.url()))
                .withRetries(new Retries(1, Set.of(), Set.of(503), Retries.IDEMPOTENT)));
        pools.put("closes", UpstreamPoolConfig.of("closes", List.of(closes.url()))
                .withRetries(new Retries(2, Set.of(Failure.RESET), Set.of(), Retries.IDEMPOTENT)));
        pools.put("closes-no-retry", UpstreamPoolConfig.of("closes-no-retry", List.of(closes.url()))
                .withRetries(new Retries(2, Set.of(Failure.CONNECT_FAILURE), Set.of(), Retries.IDEMPOTENT)));
        pools.put("half-dead", UpstreamPoolConfig.of("half-dead", List.of(dead, fine.url())));
        StreamingProxy proxy = new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30), pools);
        List<ProxyRoute> routes = new ArrayList<>();
        for (String name : pools.keySet()) {
            routes.add(ProxyRoute.parse("/" + name + "/...=upstream:" + name));
        }
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/...", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "from manifest")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(),
                List.of(new ProxyStage(routes, proxy)), "p", "1", null);
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(server, CLOSE);
    }

    private static RawHttp.Reply send(String method, String path, String body) throws Exception {
        String request = method + " " + path + " HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n")
                + "\r\n" + (body == null ? "" : body);
        return RawHttp.exchange(port, request);
    }

    @Test
    void bodylessRetriesAndFailoverAreTheLanes() throws Exception {
        long before = UpstreamLane.served();
        assertThat(send("GET", "/flaky/lane-once", null).status()).isEqualTo(200);
        assertThat(send("GET", "/closes/lane-get", null).status()).isEqualTo(502);
        for (int i = 0; i < 4; i++) {
            assertThat(send("GET", "/half-dead/lane-" + i, null).status()).isEqualTo(200);
        }
        assertThat(UpstreamLane.served() - before).as("edge's own engine served them all").isEqualTo(6);
    }

    @Test
    void aGetAnswered503IsSentAgainAndTheSecondAnswerPasses() throws Exception {
        int before = flaky.requests();
        RawHttp.Reply reply = send("GET", "/flaky/get-once", null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).endsWith("done");
        assertThat(flaky.requests() - before).isEqualTo(2);
    }

    @Test
    void aPostAnswered503IsNeverSentAgainAndTheClientGetsTheUpstreamsAnswer() throws Exception {
        int before = flaky.requests();
        RawHttp.Reply withBody = send("POST", "/flaky/post-body", "order=1");
        assertThat(withBody.status()).isEqualTo(503);
        assertThat(withBody.text()).endsWith("busy");
        RawHttp.Reply withoutBody = send("POST", "/flaky/post-empty", null);
        assertThat(withoutBody.status()).isEqualTo(503);
        assertThat(flaky.requests() - before).isEqualTo(2);
    }

    @Test
    void aPutWithABodyIsNotSentAgainEvenThoughPutIsIdempotent() throws Exception {
        int before = closes.requests();
        assertThat(send("PUT", "/closes/put", "x=1").status()).isEqualTo(502);
        assertThat(closes.requests() - before).as("the body streamed once; it cannot be sent again").isEqualTo(1);
    }

    @Test
    void aPostWhoseConnectionBrokeAfterItsBodyWasSentIsNeverRetried() throws Exception {
        int before = closes.requests();
        assertThat(send("POST", "/closes/post", "order=1").status()).isEqualTo(502);
        assertThat(closes.requests() - before).isEqualTo(1);
    }

    @Test
    void aGetWhoseConnectionBrokeIsRetriedUpToAttemptsThen502() throws Exception {
        int before = closes.requests();
        assertThat(send("GET", "/closes/get", null).status()).isEqualTo(502);
        assertThat(closes.requests() - before).as("the first try and 2 retries").isEqualTo(3);
    }

    @Test
    void aFailureRetriesDoNotListIsNotRetried() throws Exception {
        int before = closes.requests();
        assertThat(send("GET", "/closes-no-retry/get", null).status()).isEqualTo(502);
        assertThat(closes.requests() - before).isEqualTo(1);
    }

    @Test
    void aPostWithABodyMovesOnWhenATargetRefusesTheConnection() throws Exception {
        for (int i = 0; i < 3; i++) {
            RawHttp.Reply reply = send("POST", "/half-dead/order", "order=" + i);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).endsWith("fine");
        }
    }
}
