package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.config.UpstreamPoolConfig;
import dev.edge.config.UpstreamPoolConfig.Timeouts;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client connection's reads stay registered with the selector while a request without a body runs
 * ({@link ReadInterest}): what a client does meanwhile is still handled as before. One IO thread, and listener
 * timeouts of 1 s (parse, no request, idle) that a slow upstream outlasts.
 */
class ReadInterestTest {
    private static final Duration SHORT = Duration.ofSeconds(1);
    private static final List<AutoCloseable> CLOSE = new ArrayList<>();
    private static IngressServer server;
    private static int port;
    private static Set<String> ioThreads;
    /** Counted down by the slow upstream as each request arrives. */
    private static volatile CountDownLatch slowArrived = new CountDownLatch(1);
    private static volatile long slowMillis = 2_500;

    @BeforeAll
    static void start() throws Exception {
        // Answers with the request line it got (so order shows) and the length of the body it read.
        RawUpstream echo = new RawUpstream((head, out, socket) -> answer(out, head));
        RawUpstream slow = new RawUpstream((head, out, socket) -> {
            slowArrived.countDown();
            Thread.sleep(slowMillis);
            answer(out, head);
        });
        CLOSE.add(echo);
        CLOSE.add(slow);
        Timeouts timeouts = new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(10), Optional.empty(),
                Duration.ofSeconds(10));
        StreamingProxy proxy = new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30), Map.of(
                "echo", UpstreamPoolConfig.of("echo", List.of(echo.url())).withTimeouts(timeouts),
                "slow", UpstreamPoolConfig.of("slow", List.of(slow.url())).withTimeouts(timeouts)));
        List<ProxyRoute> routes = List.of(ProxyRoute.parse("/echo/...=upstream:echo"),
                ProxyRoute.parse("/slow/...=upstream:slow"));
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/...", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "static")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(),
                List.of(new ProxyStage(routes, proxy)), "p", "1", null);
        port = FreePort.next();
        Set<String> before = XnioThreads.ioThreadNames();
        server = IngressServer.start("127.0.0.1", port,
                HttpLimits.withMaxRequestBody(1 << 20).withTimeouts(SHORT, SHORT, SHORT).withIoThreads(1), dispatcher);
        ioThreads = XnioThreads.ioThreadNames();
        ioThreads.removeAll(before);
    }

    private static void answer(java.io.OutputStream out, String head) throws java.io.IOException {
        String line = head.substring(0, head.indexOf("\r\n"));
        String body = line + " body=" + bodyLength(head);
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String bodyLength(String head) {
        for (String l : head.split("\r\n")) {
            if (l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                return l.substring(15).trim();
            }
        }
        return "0";
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(server, CLOSE);
    }

    private static String bodyOf(RawHttp.Reply reply) {
        return reply.text().substring(reply.text().indexOf("\r\n\r\n") + 4);
    }

    @Test
    void aRequestSlowerThanTheIdleTimeoutStillCompletesAndTheConnectionIsReused() throws Exception {
        slowArrived = new CountDownLatch(1);
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /slow/a HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            RawHttp.Reply first = http.readReply(); // 2.5 s: longer than the listener's idle and no-request timeouts
            assertThat(first.status()).isEqualTo(200);
            assertThat(bodyOf(first)).isEqualTo("GET /a HTTP/1.1 body=0");
            http.send("GET /echo/b HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            RawHttp.Reply second = http.readReply();
            assertThat(second.status()).isEqualTo(200);
            assertThat(bodyOf(second)).isEqualTo("GET /b HTTP/1.1 body=0");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /echo/1 HTTP/1.1\r\nHost: edge.test\r\n\r\n"
                    + "GET /static HTTP/1.1\r\nHost: edge.test\r\n\r\n"
                    + "GET /echo/3 HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(bodyOf(http.readReply())).isEqualTo("GET /1 HTTP/1.1 body=0");
            assertThat(bodyOf(http.readReply())).isEqualTo("static");
            assertThat(bodyOf(http.readReply())).isEqualTo("GET /3 HTTP/1.1 body=0");
        }
    }

    @Test
    void aRequestSentWhileTheFirstRunsIsAnsweredAfterIt() throws Exception {
        slowArrived = new CountDownLatch(1);
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /slow/first HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(slowArrived.await(5, TimeUnit.SECONDS)).isTrue();
            // The first request is at the upstream; its connection reads on meanwhile and must hold this one back.
            http.send("GET /echo/second HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(bodyOf(http.readReply())).isEqualTo("GET /first HTTP/1.1 body=0");
            assertThat(bodyOf(http.readReply())).isEqualTo("GET /second HTTP/1.1 body=0");
        }
    }

    @Test
    void aClientThatClosesWhileTheUpstreamIsSlowDoesNotSpinTheIoThread() throws Exception {
        slowArrived = new CountDownLatch(1);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /slow/gone HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(slowArrived.await(5, TimeUnit.SECONDS)).isTrue();
        } // closed: the IO thread sees end of stream while the request runs
        long before = ioThreadCpuNanos(threads);
        Thread.sleep(1_500); // most of the slow upstream's 2.5 s
        long spent = ioThreadCpuNanos(threads) - before;
        // A read listener that never suspended would spin on the readable socket for the whole wait.
        assertThat(spent).as("IO thread CPU while the request ran, ns").isLessThan(150_000_000L);
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /echo/after HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(bodyOf(http.readReply())).isEqualTo("GET /after HTTP/1.1 body=0");
        }
    }

    private static long ioThreadCpuNanos(ThreadMXBean threads) {
        long sum = 0;
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (ioThreads.contains(e.getKey().getName())) {
                sum += threads.getThreadCpuTime(e.getKey().getId());
            }
        }
        return sum;
    }

    @Test
    void requestsWithABodyStillWorkThenAGetOnTheSameConnection() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST /echo/fixed HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(bodyOf(http.readReply())).isEqualTo("POST /fixed HTTP/1.1 body=5");
            http.send("POST /echo/empty HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 0\r\n\r\n");
            assertThat(bodyOf(http.readReply())).isEqualTo("POST /empty HTTP/1.1 body=0");
            http.send("GET /echo/after HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(bodyOf(http.readReply())).isEqualTo("GET /after HTTP/1.1 body=0");
        }
    }

    @Test
    void aBodySentSlowlyAfterItsHeadStillReachesTheUpstream() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST /echo/slow-body HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 6\r\n\r\nabc");
            Thread.sleep(300);
            http.send("def");
            assertThat(bodyOf(http.readReply())).isEqualTo("POST /slow-body HTTP/1.1 body=6");
        }
    }

    @Test
    void aConnectionIdleAfterItsRequestIsStillClosedByTheNoRequestTimeout() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /echo/x HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            assertThat(http.readReply().status()).isEqualTo(200);
            InputStream in = http.input();
            http.setTimeout(5_000);
            long start = System.nanoTime();
            assertThat(in.read()).as("closed by the server").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }
}
