package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * edge's own upstream engine (UpstreamLane) against a raw upstream: which requests it serves, the response framings
 * it must handle, the hostile heads it must refuse (502, the connection not reused), and what happens when either
 * side leaves mid-body.
 */
class UpstreamLaneTest {
    /** What the upstream answers, by request path (after /p). */
    private static final Map<String, RawUpstream.Behaviour> ANSWERS = new ConcurrentHashMap<>();
    /** The upstream socket each request path was last read from. */
    private static final Map<String, Socket> SOCKETS = new ConcurrentHashMap<>();
    private static RawUpstream upstream;
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        upstream = new RawUpstream((head, out, socket) -> {
            String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            SOCKETS.put(path, socket);
            RawUpstream.Behaviour answer = ANSWERS.get(path);
            if (answer == null) {
                String body = "path " + path;
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            } else {
                answer.answer(head, out, socket);
            }
        });
        ProxyStage proxy = new ProxyStage(List.of(ProxyRoute.parse("/p/...=" + upstream.url())),
                new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30)));
        port = FreePort.next();
        server = ProxyFixture.serve(proxy, port);
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(server, List.of(upstream));
    }

    private static void write(OutputStream out, String text) throws Exception {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static RawHttp.Reply get(String path) throws Exception {
        return get(port, path);
    }

    private static RawHttp.Reply get(int port, String path) throws Exception {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n");
    }

    @Test
    void bodylessRequestsTakeTheLaneAndBodiesTakeProxyHandler() throws Exception {
        long before = UpstreamLane.served();
        assertThat(get("/p/lane").text()).startsWith("HTTP/1.1 200").endsWith("path /lane");
        assertThat(UpstreamLane.served()).isEqualTo(before + 1);
        RawHttp.Reply post = RawHttp.exchange(port, "POST /p/body HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 3\r\n"
                + "Connection: close\r\n\r\nabc");
        assertThat(post.text()).startsWith("HTTP/1.1 200").endsWith("path /body");
        assertThat(UpstreamLane.served()).isEqualTo(before + 1);
    }

    @Test
    void theRequestHeadIsProxyHeadersRules() throws Exception {
        StringBuilder seen = new StringBuilder();
        ANSWERS.put("/base/a%2Fb?q=1", (head, out, socket) -> {
            seen.append(head);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        });
        // The route's upstream has no base path; the escaped path and the query pass as sent.
        RawHttp.Reply reply = RawHttp.exchange(port, "GET /p/base/a%2Fb?q=1 HTTP/1.1\r\nHost: edge.test\r\n"
                + "Connection: close, X-Drop\r\nX-Drop: 1\r\nX-Keep: 2\r\nX-Forwarded-For: 6.6.6.6\r\nKeep-Alive: 5\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
        String head = seen.toString().toLowerCase();
        assertThat(head).startsWith("get /base/a%2fb?q=1 http/1.1\r\n")
                .contains("host: " + upstream.url().getRawAuthority() + "\r\n", "x-keep: 2\r\n",
                        "x-forwarded-for: 127.0.0.1\r\n", "x-forwarded-host: edge.test\r\n", "x-forwarded-proto: http\r\n")
                .doesNotContain("x-drop", "6.6.6.6", "keep-alive", "connection:");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!",
            "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nX-Bare: a\rb\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nX-Space : a\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: gzip\r\n\r\nok",
            "HTTP/1.1 101 Switching Protocols\r\n\r\n",
            "HTTP/1.1 20x OK\r\nContent-Length: 2\r\n\r\nok",
            "SPDY/3 200 OK\r\nContent-Length: 2\r\n\r\nok",
            "LONG"})
    void aMalformedResponseHeadIs502AndItsConnectionIsNotReused(String response) throws Exception {
        String text = response.equals("LONG")
                ? "HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(20_000) + "\r\nContent-Length: 2\r\n\r\nok" : response;
        ANSWERS.put("/hostile", (head, out, socket) -> write(out, text));
        assertThat(get("/p/hostile").status()).isEqualTo(502);
        Socket hostile = SOCKETS.get("/hostile");
        assertThat(get("/p/after-hostile").status()).isEqualTo(200);
        assertThat(SOCKETS.get("/after-hostile")).isNotSameAs(hostile);
        await().atMost(Duration.ofSeconds(5)).until(hostile::isClosed);
    }

    @Test
    void aResponseFramedByCloseIsReadToTheEnd() throws Exception {
        ANSWERS.put("/close-framed", (head, out, socket) -> {
            write(out, "HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nhello, ");
            Thread.sleep(50);
            write(out, "until close");
            socket.close();
        });
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /p/close-framed HTTP/1.0\r\nHost: edge.test\r\n\r\n");
            assertThat(new String(http.input().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.0 200")
                    .containsIgnoringCase("x-a: 1").endsWith("\r\n\r\nhello, until close");
        }
    }

    @Test
    void interimResponsesAreSkipped() throws Exception {
        ANSWERS.put("/interim", (head, out, socket) -> write(out, "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        RawHttp.Reply reply = get("/p/interim");
        assertThat(reply.text()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nok").doesNotContain("103");
    }

    @Test
    void headAnd204And304HaveNoBodyAndTheConnectionIsReused() throws Exception {
        ANSWERS.put("/head", (head, out, socket) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
        ANSWERS.put("/204", (head, out, socket) -> write(out, "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"));
        ANSWERS.put("/304", (head, out, socket) -> write(out, "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"));
        try (RawHttp http = new RawHttp(port)) {
            http.send("HEAD /p/head HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            InputStream in = http.input();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 1000");
            http.send("GET /p/204 HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(readHead(in)).startsWith("HTTP/1.1 204").containsIgnoringCase("x-a: 1");
            http.send("GET /p/304 HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(readHead(in)).startsWith("HTTP/1.1 304").contains("\"x\"");
            http.send("GET /p/last HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n");
            assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200")
                    .endsWith("path /last");
        }
        assertThat(SOCKETS.get("/204")).isSameAs(SOCKETS.get("/head")).isSameAs(SOCKETS.get("/304"))
                .isSameAs(SOCKETS.get("/last"));
    }

    @Test
    void connectionCloseFromTheUpstreamIsNotReused() throws Exception {
        ANSWERS.put("/closing", (head, out, socket) -> write(out,
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"));
        assertThat(get("/p/closing").text()).endsWith("ok");
        assertThat(get("/p/after-closing").status()).isEqualTo(200);
        assertThat(SOCKETS.get("/after-closing")).isNotSameAs(SOCKETS.get("/closing"));
    }

    @Test
    void aPooledConnectionTheUpstreamClosedWhileIdleIsDropped() throws Exception {
        ANSWERS.put("/then-close", (head, out, socket) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            Thread.sleep(20);
            socket.close(); // keep-alive by its head, closed while idle in edge's pool
        });
        assertThat(get("/p/then-close").status()).isEqualTo(200);
        Thread.sleep(200);
        for (int i = 0; i < 3; i++) {
            assertThat(get("/p/after-idle-close").status()).isEqualTo(200);
        }
    }

    @Test
    void chunkedWithTrailersReachesTheClient() throws Exception {
        ANSWERS.put("/chunked", (head, out, socket) -> write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                + "Trailer: x-sum\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-sum: 42\r\n\r\n"));
        try (RawHttp http = new RawHttp(port)) {
            // Keep-alive: chunked is then the client's framing too, the only one that carries trailers.
            http.send("GET /p/chunked HTTP/1.1\r\nHost: edge.test\r\nTE: trailers\r\n\r\n");
            assertThat(readHead(http.input())).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
            StringBuilder seen = new StringBuilder();
            int b;
            while (!seen.toString().endsWith("x-sum: 42\r\n\r\n") && (b = http.input().read()) >= 0) {
                seen.append((char) b);
            }
            String body = seen.toString();
            // Decoded and re-chunked by edge (chunk sizes are edge's), the trailer field after the last chunk.
            assertThat(body.replaceAll("[0-9a-f]+\r\n([a-e]+)\r\n", "$1")).isEqualTo("abcde0\r\nx-sum: 42\r\n\r\n");
        }
    }

    @Test
    void aClientThatLeavesMidBodyClosesTheUpstreamConnection() throws Exception {
        CountDownLatch upstreamSawClose = new CountDownLatch(1);
        ANSWERS.put("/endless", (head, out, socket) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n");
            byte[] chunk = new byte[64 * 1024];
            try {
                for (int i = 0; i < 15_000; i++) {
                    out.write(chunk);
                }
            } catch (Exception closed) {
                upstreamSawClose.countDown();
                throw closed;
            }
        });
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /p/endless HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(readHead(http.input())).startsWith("HTTP/1.1 200");
            http.input().readNBytes(200_000);
        }
        assertThat(upstreamSawClose.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anUpstreamThatDiesMidBodyClosesTheClientConnection() throws Exception {
        ANSWERS.put("/dies", (head, out, socket) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000));
            Thread.sleep(50);
            socket.close();
        });
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /p/dies HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            InputStream in = http.input();
            assertThat(readHead(in)).contains("100000");
            byte[] got = in.readAllBytes(); // ends: edge closed the client's connection
            assertThat(got.length).isLessThan(100000);
        }
    }

    @Test
    void openConnectionsAreBoundedPerIoThreadAndTarget() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ANSWERS.put("/held", (head, out, socket) -> {
            release.await(10, TimeUnit.SECONDS);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });
        UpstreamLane.maxOpen = 1;
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<RawHttp.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                replies.add(clients.submit(() -> get("/p/held")));
            }
            AtomicBoolean some503 = new AtomicBoolean();
            await().atMost(Duration.ofSeconds(5)).until(() -> replies.stream().anyMatch(Future::isDone));
            release.countDown();
            int ok = 0;
            for (Future<RawHttp.Reply> reply : replies) {
                int status = reply.get(10, TimeUnit.SECONDS).status();
                assertThat(status).isIn(200, 503);
                ok += status == 200 ? 1 : 0;
                some503.compareAndSet(false, status == 503);
            }
            assertThat(some503).isTrue();
            assertThat(ok).isPositive().isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() * 2);
        } finally {
            UpstreamLane.maxOpen = UpstreamLane.MAX_OPEN;
            clients.shutdownNow();
        }
    }

    @Test
    void closingTheProxyClosesItsIdleLaneConnections() throws Exception {
        StreamingProxy own = new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30));
        ProxyStage stage = new ProxyStage(List.of(ProxyRoute.parse("/q/...=" + upstream.url())), own);
        int ownPort = FreePort.next();
        IngressServer ownServer = ProxyFixture.serve(stage, ownPort);
        try {
            assertThat(get(ownPort, "/q/pooled").status()).isEqualTo(200);
            Socket pooled = SOCKETS.get("/pooled");
            own.close(); // as an app generation is retired
            await().atMost(Duration.ofSeconds(5)).until(pooled::isClosed);
        } finally {
            ownServer.close();
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTtlWithoutFurtherTraffic() throws Exception {
        // Its own proxy: the shared one's sweep timer may already be armed for the default 60 s.
        UpstreamLane.idleTtlNanos = TimeUnit.MILLISECONDS.toNanos(300);
        StreamingProxy own = new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30));
        ProxyStage stage = new ProxyStage(List.of(ProxyRoute.parse("/t/...=" + upstream.url())), own);
        int ownPort = FreePort.next();
        IngressServer ownServer = ProxyFixture.serve(stage, ownPort);
        try {
            assertThat(get(ownPort, "/t/ttl").status()).isEqualTo(200);
            Socket pooled = SOCKETS.get("/ttl");
            Thread.sleep(100);
            assertThat(pooled.isClosed()).as("kept idle within the TTL").isFalse();
            await().atMost(Duration.ofSeconds(5)).until(pooled::isClosed);
        } finally {
            UpstreamLane.idleTtlNanos = TimeUnit.SECONDS.toNanos(UpstreamLane.IDLE_TTL_SECONDS);
            Closing.all(ownServer, List.of(own));
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder seen = new StringBuilder();
        int b;
        while (!seen.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
            seen.append((char) b);
        }
        return seen.toString();
    }
}
