package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy streams: a response reaches the client while the upstream is still writing it, a request body reaches
 * the upstream while the client is still sending it, and upstreams that hold their answers hold no thread of edge's.
 */
class StreamingProxyTest {
    /** More held downloads than Undertow has worker threads (8 per IO thread). */
    private static final int HELD = 64;
    /** What the upstream reads before the client sends the rest: more than any transfer buffer, far less than the body. */
    private static final int FIRST_PART = 64 * 1024;
    private static HttpServer upstream;
    private static ExecutorService upstreamThreads;
    private static IngressServer server;
    private static int port;
    private static volatile CountDownLatch release = new CountDownLatch(1);
    private static volatile CountDownLatch firstPartArrived = new CountDownLatch(1);
    private static final AtomicInteger SLOW_STARTED = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), HELD * 2);
        upstreamThreads = Executors.newCachedThreadPool();
        upstream.setExecutor(upstreamThreads);
        upstream.createContext("/slow", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 0); // chunked
            OutputStream out = exchange.getResponseBody();
            out.write("first\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SLOW_STARTED.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write("last\n".getBytes(StandardCharsets.US_ASCII));
            exchange.close();
        });
        upstream.createContext("/upload", exchange -> {
            InputStream in = exchange.getRequestBody();
            byte[] first = in.readNBytes(FIRST_PART);
            firstPartArrived.countDown();
            byte[] rest = in.readAllBytes();
            byte[] answer = ("got " + first.length + "+" + rest.length).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        upstream.start();
        String upstreamUrl = "http://127.0.0.1:" + upstream.getAddress().getPort();
        ProxyStage proxy = new ProxyStage(List.of(ProxyRoute.parse("/p/...=" + upstreamUrl)),
                new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(60)));
        port = FreePort.next();
        server = ProxyFixture.serve(proxy, port);
    }

    @AfterAll
    static void stop() {
        release.countDown();
        if (server != null) {
            server.close();
        }
        if (upstream != null) {
            upstream.stop(0);
            upstreamThreads.shutdownNow();
        }
    }

    /** Reads from {@code http} until {@code text} has arrived; fails after the socket's timeout. */
    private static String readUntil(RawHttp http, String text) throws Exception {
        StringBuilder seen = new StringBuilder();
        InputStream in = http.input();
        while (seen.indexOf(text) < 0) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed before '" + text + "'; got: " + seen);
            }
            seen.append((char) b);
        }
        return seen.toString();
    }

    @Test
    void theResponseReachesTheClientWhileTheUpstreamIsStillWritingIt() throws Exception {
        release = new CountDownLatch(1);
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /p/slow HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(readUntil(http, "first\n")).startsWith("HTTP/1.1 200");
            assertThat(release.getCount()).as("the upstream has not finished").isEqualTo(1);
            release.countDown();
            readUntil(http, "last\n");
        }
    }

    @Test
    void theRequestBodyReachesTheUpstreamWhileTheClientIsStillSendingIt() throws Exception {
        firstPartArrived = new CountDownLatch(1);
        try (RawHttp http = new RawHttp(port)) {
            int part = 4 * FIRST_PART;
            http.send("POST /p/upload HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(part) + "\r\n" + "x".repeat(part) + "\r\n");
            assertThat(firstPartArrived.await(10, TimeUnit.SECONDS)).as("the body's start forwarded before its end").isTrue();
            http.send("3\r\nabc\r\n0\r\n\r\n");
            RawHttp.Reply reply = http.readReply();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).endsWith("got " + FIRST_PART + "+" + (part - FIRST_PART + 3));
        }
    }

    @Test
    void upstreamsHoldingTheirAnswersHoldNoThread() throws Exception {
        release = new CountDownLatch(1);
        int before = SLOW_STARTED.get();
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < HELD; i++) {
                RawHttp http = new RawHttp(port);
                held.add(http);
                http.send("GET /p/slow HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> SLOW_STARTED.get() - before >= HELD);
            // Every download is in flight; the manifest's routes are still served.
            HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/other")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.body()).isEqualTo("from manifest");
        } finally {
            release.countDown();
            for (RawHttp http : held) {
                http.close();
            }
        }
    }
}
