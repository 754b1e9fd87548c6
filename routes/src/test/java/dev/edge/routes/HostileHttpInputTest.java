package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import java.io.IOException;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile HTTP/1.1 input on raw sockets (what a real client would refuse to send): every case is a clean
 * 4xx or a closed connection, never a 5xx, and the server keeps serving. Limits are set low so the slow-client
 * cases finish fast.
 */
class HostileHttpInputTest {
    private static final long MAX_BODY = 4096;
    private static final HttpLimits LIMITS = new HttpLimits(MAX_BODY, 8 * 1024, 50, 100,
            Duration.ofMillis(800), Duration.ofMillis(1500), Duration.ofSeconds(2), 1000, HttpLimits.defaultIoThreads());
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static IngressServer server;
    private static com.sun.net.httpserver.HttpServer upstream;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        List<HttpTrigger> triggers = List.of(
                new HttpTrigger("/hello", false, Optional.empty(),
                        Optional.of(new StaticResponse(200, Map.of("content-type", "text/plain"), "hi")), Executor.http()),
                new HttpTrigger("/files/...", false, Optional.empty(),
                        Optional.of(new StaticResponse(204, Map.of(), "")), Executor.http()));
        upstream = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            StringBuilder seen = new StringBuilder();
            exchange.getRequestHeaders().forEach((name, values) -> seen.append(name.toLowerCase(java.util.Locale.ROOT))
                    .append('=').append(values).append('\n'));
            byte[] text = seen.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, text.length);
            exchange.getResponseBody().write(text);
            exchange.close();
        });
        upstream.start();
        ProxyStage proxy = new ProxyStage(List.of(ProxyRoute.parse("/up/...=http://127.0.0.1:"
                + upstream.getAddress().getPort())), new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(10)));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(), List.of(new HeaderEcho(), proxy),
                "hostile", "1", null);
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, LIMITS, dispatcher);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GARBAGE\r\n\r\n",
            "GET\r\n\r\n",
            "GET /hello HTTP/1.1 extra\r\nHost: x\r\n\r\n",
            "GET /hello HTTP/2.7\r\nHost: x\r\n\r\n",
            "GET hello HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /hel\u0001lo HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /hello?q=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /hello HTTP/1.1\r\n\r\n",
            "GET /hello HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            "GET /echo HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\n\r\n",
            "GET /echo HTTP/1.1\r\nHost: x\r\nX-Ctl: a\u0007b\r\n\r\n",
            "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabc",
            "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    })
    void malformedRequestLinesAndHeadersAre400(String request) throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(port, request);
        assertThat(reply.status()).as(reply.text()).isEqualTo(400);
        assertThat(reply.text()).contains("Connection: close");
        assertStillServing();
    }

    /**
     * Undertow's header parser is lenient with these and normalizes them instead of refusing them: what reaches
     * routing (and guests) is a well-formed header, never one with CR, LF or NUL. Documented in docs/security.md.
     */
    @Test
    void lenientlyParsedHeadersAreNormalized() throws Exception {
        Map<String, String> seenAs = Map.of(
                "NoColonHere", "nocolonhere=[]",
                "Bad Name: v", "bad=[Name: v]",
                "X-Fold: a\r\n folded", "x-fold=[a folded]");
        for (Map.Entry<String, String> header : seenAs.entrySet()) {
            RawHttp.Reply reply = RawHttp.exchange(port,
                    "GET /echo HTTP/1.1\r\nHost: x\r\n" + header.getKey() + "\r\nConnection: close\r\n\r\n");
            assertThat(reply.status()).as(header.getKey()).isEqualTo(200);
            assertThat(reply.text()).as(header.getKey()).contains("\n" + header.getValue() + "\n");
        }
        assertStillServing();
    }

    /**
     * Only {@code chunked}, alone, frames a request body (RFC 9112 §6.1, as nginx): another coding is 501, an
     * ambiguous combination 400 ({@code ~} separates header lines here), and in both cases the connection closes, since the body's end is unknown.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Transfer-Encoding: chunked, identity                              | 501",
            "Transfer-Encoding: identity, chunked                              | 501",
            "Transfer-Encoding: gzip, chunked                                  | 501",
            "Transfer-Encoding: gzip                                           | 501",
            "Transfer-Encoding: identity                                       | 501",
            "Transfer-Encoding: chunked,                                       | 501",
            "Transfer-Encoding: chunkedx                                       | 501",
            "Transfer-Encoding: chunked~Transfer-Encoding: chunked         | 400",
            "Transfer-Encoding: chunked~Content-Length: 5                  | 400",
    })
    void transferEncodingOtherThanChunkedAloneIsRefused(String headers, int status) throws Exception {
        String request = "POST /echo HTTP/1.1\r\nHost: x\r\n" + headers.replace("~", "\r\n")
                + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
        RawHttp.Reply reply = RawHttp.exchange(port, request);
        assertThat(reply.status()).as(reply.text()).isEqualTo(status);
        assertThat(reply.text()).contains("Connection: close");
        assertStillServing();
    }

    @Test
    void chunkedInAnyCaseIsAccepted() throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(port, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  Chunked \r\n"
                + "Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    }

    /**
     * A bare CR (not followed by LF) in the request head is invalid (RFC 9112 §2.2): Undertow would end the line
     * there, so {@code X-User: alice\rX-Admin: true} would reach a guest or an upstream as two headers. 400.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/echo", "/up/x"})
    void bareCrInTheHeadIs400ForGuestsAndUpstreams(String path) throws Exception {
        for (String head : List.of(
                "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-User: alice\rX-Admin: true\r\n\r\n",
                "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-User: alice\r\rX-Admin: true\r\n\r\n",
                "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-User\rX-Admin: true\r\n\r\n",
                "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-User: alice\r\n\rX-Admin: true\r\n\r\n")) {
            RawHttp.Reply reply = RawHttp.exchange(port, head);
            assertThat(reply.status()).as(head).isEqualTo(400);
            assertThat(reply.text()).doesNotContainIgnoringCase("x-admin");
        }
        // the same request without the bare CR is served, and the header is whole
        RawHttp.Reply fine = RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-User: alice X-Admin: true\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(fine.status()).isEqualTo(200);
        assertThat(fine.text()).contains("x-user=[alice X-Admin: true]").doesNotContain("x-admin=");
        assertStillServing();
    }

    /** Bodies may hold bare CRs; a pipelined request after such bodies is still checked, and only it is refused. */
    @Test
    void bareCrIsFoundInPipelinedHeadsButNotInBodies() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\na\rb\rc"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=\"1\"\r\n\r\r\r\r\n0\r\nX-T: 1\r\n\r\n"
                    + "GET /echo HTTP/1.1\r\nHost: x\r\nX-Ok: 1\r\n\r\n"
                    + "GET /echo HTTP/1.1\r\nHost: x\r\nX-User: alice\rX-Admin: true\r\n\r\n");
            assertThat(http.readReply().status()).isEqualTo(200);
            assertThat(http.readReply().status()).isEqualTo(200);
            RawHttp.Reply third = http.readReply();
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.text()).contains("x-ok=[1]");
            RawHttp.Reply fourth = http.readReply();
            assertThat(fourth.status()).as(fourth.text()).isEqualTo(400);
        }
    }

    @Test
    void brokenChunkFramingClosesWithoutA5xx() throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(port,
                "POST /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
        // Undertow's chunk parser closes the connection on the spot; if it manages to answer, it is a 400.
        assertThat(reply.status()).as(reply.text()).isIn(-1, 400);
        assertStillServing();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/hello%zz", "/hello%4", "/hello%", "/files/%ff", "/files/%c3%28", "/files/a%00b",
            "/files/%ed%a0%80"})
    void badPercentEncodingOrInvalidUtf8PathIs400(String path) throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(reply.status()).isEqualTo(400);
        assertStillServing();
    }

    /** A refused request head still has its body read first, so the client gets the 400 rather than a reset. */
    @ParameterizedTest
    @ValueSource(strings = {"http://x/files/a%00/", "/files/a%00/", "/files/%ff", "hello", "/echo"})
    void refusalsReadTheBodyFirst(String target) throws Exception {
        String host = target.equals("/echo") ? "Host: x\r\nX-Ctl: a\u0007b\r\n" : "Host: x\r\n";
        String chunks = "400\r\n" + "b".repeat(1024) + "\r\n";
        String request = "POST " + target + " HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n"
                + chunks.repeat(3) + "0\r\n\r\n";
        assertThat(RawHttp.exchange(port, request).status()).isEqualTo(400);
        String withLength = "POST " + target + " HTTP/1.1\r\n" + host + "Content-Length: 3000\r\n\r\n" + "c".repeat(3000);
        assertThat(RawHttp.exchange(port, withLength).status()).isEqualTo(400);
    }

    @Test
    void absoluteFormTargetsAreRouted() throws Exception {
        assertThat(RawHttp.exchange(port, "GET http://x/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .status()).isEqualTo(200);
        // Undertow refuses an authority that differs from Host (RFC 9112 would have the server ignore Host)
        assertThat(RawHttp.exchange(port, "GET http://elsewhere/hello HTTP/1.1\r\nHost: x\r\n\r\n").status())
                .isEqualTo(400);
        assertThat(RawHttp.exchange(port, "GET /hello HTTP/1.1\r\nHost: bad host\r\n\r\n").status()).isEqualTo(400);
        assertThat(RawHttp.exchange(port, "GET /hello HTTP/1.1\r\nHost: h\u00e9\r\n\r\n").status()).isEqualTo(400);
        assertThat(RawHttp.exchange(port, "GET /hello HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void rawNonAsciiInPath() throws Exception {
        byte[] request = "GET /files/\u00e9t\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(RawHttp.exchange(port, request).status()).isEqualTo(400);
        byte[] latin = "GET /files/\u00ff HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RawHttp.exchange(port, latin).status()).isEqualTo(400);
        assertStillServing();
    }

    @Test
    void validEscapesStillRoute() throws Exception {
        assertThat(RawHttp.exchange(port, "GET /files/%C3%A9t%C3%A9/%20x?q=%41 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .status()).isEqualTo(204);
    }

    @Test
    void headersOverTheLimitsAre400() throws Exception {
        // 8 KiB of request head in this test (64 KiB by default)
        String bigValue = "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n";
        assertThat(RawHttp.exchange(port, bigValue).status()).isEqualTo(400);
        String longTarget = "GET /files/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        assertThat(RawHttp.exchange(port, longTarget).status()).isEqualTo(400);
        // 50 header fields in this test (100 by default)
        StringBuilder many = new StringBuilder("GET /hello HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 60; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        assertThat(RawHttp.exchange(port, many + "\r\n").status()).isEqualTo(400);
        // 100 query parameters in this test (1000 by default)
        StringBuilder params = new StringBuilder("GET /hello?");
        for (int i = 0; i < 150; i++) {
            params.append("p").append(i).append("=1&");
        }
        assertThat(RawHttp.exchange(port, params + " HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(400);
        // just under the limits is served
        StringBuilder fine = new StringBuilder("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
        for (int i = 0; i < 40; i++) {
            fine.append("X-H").append(i).append(": ").append("v".repeat(100)).append("\r\n");
        }
        assertThat(RawHttp.exchange(port, fine + "\r\n").status()).isEqualTo(200);
        assertStillServing();
    }

    @Test
    void chunkedBodyWithoutLengthOverTheLimitIs413() throws Exception {
        StringBuilder chunked = new StringBuilder("POST /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 10; i++) {
            chunked.append("400\r\n").append("b".repeat(1024)).append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        RawHttp.Reply reply = RawHttp.exchange(port, chunked.toString());
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.text()).contains("Connection: close");

        StringBuilder small = new StringBuilder("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        small.append("400\r\n").append("b".repeat(1024)).append("\r\n0\r\n\r\n");
        assertThat(RawHttp.exchange(port, small.toString()).status()).isEqualTo(200);
        assertStillServing();
    }

    @Test
    void slowClientsAreClosedWhileOthersAreServed() throws Exception {
        List<RawHttp> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                RawHttp http = new RawHttp(port);
                http.send("GET /hello HTTP/1.1\r\nHost: x\r\n"); // headers never finish
                slow.add(http);
            }
            RawHttp idle = new RawHttp(port); // never sends anything
            long started = System.nanoTime();
            java.util.Map<RawHttp, Long> closedAt = new java.util.HashMap<>();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                for (RawHttp http : slow) {
                    if (!closedAt.containsKey(http)) {
                        http.drip("X-Drip: 1\r\n"); // a byte now and then keeps the connection active
                        if (http.closedByServer()) {
                            closedAt.put(http, (System.nanoTime() - started) / 1_000_000);
                        }
                    }
                }
                assertStillServing();
                assertThat(closedAt).hasSameSizeAs(slow);
            });
            // closed by the 800 ms parse timeout, not by anything the client did
            assertThat(closedAt.values()).allMatch(ms -> ms >= 700 && ms < 5_000);
            await().atMost(Duration.ofSeconds(10)).until(idle::closedByServer);
            assertThat((System.nanoTime() - started) / 1_000_000).as("idle connection closed by the 1.5 s no-request timeout")
                    .isGreaterThanOrEqualTo(1_400);
            slow.add(idle);
        } finally {
            for (RawHttp http : slow) {
                http.close();
            }
        }
    }

    /** Answers /echo with the headers as the ingress passes them on, one "name=[value]" per line. */
    private static final class HeaderEcho implements IngressStage {
        @Override
        public Decision decide(IngressRequest request) {
            if (!request.target().path().equals("/echo")) {
                return PASS;
            }
            StringBuilder text = new StringBuilder();
            request.headers().forEach(h -> text.append(h.getKey()).append("=[").append(h.getValue()).append("]\n"));
            return new Answer(new dev.edge.wasm.GuestResponse(200, List.of(),
                    text.toString().getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String name() {
            return "echo";
        }
    }

    private static void assertStillServing() throws Exception {
        HttpResponse<String> ok = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("hi");
    }
}
