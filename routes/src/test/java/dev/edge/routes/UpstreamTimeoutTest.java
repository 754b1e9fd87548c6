package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.config.UpstreamPoolConfig;
import dev.edge.config.UpstreamPoolConfig.Failure;
import dev.edge.config.UpstreamPoolConfig.Retries;
import dev.edge.config.UpstreamPoolConfig.Timeouts;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pool's timeouts against real loopback upstreams that misbehave: one whose accept queue is full (connect
 * timeout), one that never answers (request and per-try timeouts), one that stalls mid-body (idle timeout), one that
 * streams slowly but steadily (no timeout cuts it). Timeouts that must not fire leave a second or more of margin,
 * so a loaded machine (a slow first connect, a late scheduler) does not fire them.
 */
class UpstreamTimeoutTest {
    private static final List<AutoCloseable> CLOSE = new ArrayList<>();
    private static IngressServer server;
    private static int port;
    private static RawUpstream silent;

    /** A listening socket that never accepts, its queue filled: a connect to it hangs until the client gives up. */
    private static URI unreachable() throws Exception {
        ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        CLOSE.add(full);
        for (int i = 0; i < 20; i++) {
            Socket filler = new Socket();
            CLOSE.add(filler);
            try {
                filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 200);
            } catch (SocketTimeoutException e) {
                return URI.create("http://127.0.0.1:" + full.getLocalPort());
            }
        }
        throw new AssertionError("the accept queue never filled");
    }

    private static Timeouts timeouts(String connect, String request, String perTry, String idle) {
        return new Timeouts(Duration.parse("PT" + connect), Duration.parse("PT" + request),
                Optional.ofNullable(perTry).map(p -> Duration.parse("PT" + p)), Duration.parse("PT" + idle));
    }

    /** Far more than the socket buffers between the upstream and a client that does not read. */
    private static final int BIG = 8 << 20;

    @BeforeAll
    static void start() throws Exception {
        silent = new RawUpstream(RawUpstream.SILENT);
        RawUpstream stalls = new RawUpstream((head, out, socket) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfirst".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(60_000);
        });
        RawUpstream trickles = new RawUpstream((head, out, socket) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 8; i++) {
                out.write('x');
                out.flush();
                Thread.sleep(250);
            }
        });
        RawUpstream fine = new RawUpstream(RawUpstream.answering(200, "fine"));
        RawUpstream big = new RawUpstream(RawUpstream.answering(200, "b".repeat(BIG)));
        CLOSE.addAll(List.of(silent, stalls, trickles, fine, big));
        Retries none = new Retries(0, Set.of(), Set.of(), Retries.IDEMPOTENT);
        Map<String, UpstreamPoolConfig> pools = new LinkedHashMap<>();
        pools.put("unreachable", UpstreamPoolConfig.of("unreachable", List.of(unreachable()))
                .withTimeouts(timeouts("0.3S", "10S", null, "10S")));
        pools.put("silent", UpstreamPoolConfig.of("silent", List.of(silent.url()))
                .withTimeouts(timeouts("1S", "0.5S", null, "10S")).withRetries(none));
        pools.put("silent-idle", UpstreamPoolConfig.of("silent-idle", List.of(silent.url()))
                .withTimeouts(timeouts("1S", "60S", null, "1S")).withRetries(none)); // longer than RawHttp waits
        pools.put("stalls", UpstreamPoolConfig.of("stalls", List.of(stalls.url()))
                .withTimeouts(timeouts("1S", "10S", null, "1S")));
        pools.put("trickles", UpstreamPoolConfig.of("trickles", List.of(trickles.url()))
                .withTimeouts(timeouts("1S", "1S", null, "1.5S")));
        pools.put("big", UpstreamPoolConfig.of("big", List.of(big.url()))
                .withTimeouts(timeouts("1S", "10S", null, "1S")));
        // The silent target first (round robin starts there), then one that answers.
        pools.put("per-try", UpstreamPoolConfig.of("per-try", List.of(silent.url(), fine.url()))
                .withTimeouts(timeouts("1S", "10S", "1S", "10S"))
                .withRetries(new Retries(1, Set.of(Failure.TIMEOUT), Set.of(), Retries.IDEMPOTENT)));
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

    private static RawHttp.Reply get(String path) throws Exception {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n");
    }

    @Test
    void aTargetThatDoesNotAcceptWithinConnectTimeoutIs504() throws Exception {
        assertThat(get("/unreachable/x").status()).isEqualTo(504);
    }

    @Test
    void anUpstreamThatNeverAnswersIs504AfterRequestTimeout() throws Exception {
        int before = silent.requests();
        assertThat(get("/silent/x").status()).isEqualTo(504);
        assertThat(silent.requests() - before).as("sent once, not retried").isEqualTo(1);
    }

    @Test
    void anUpstreamConnectionThatReadsNothingForIdleTimeoutIs504BeforeTheHead() throws Exception {
        assertThat(get("/silent-idle/x").status()).isEqualTo(504);
    }

    @Test
    void aBodyThatStallsPastIdleTimeoutIsCutOff() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /stalls/x HTTP/1.1\r\nHost: edge.test\r\n\r\n");
            InputStream in = http.input();
            String received = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(received).startsWith("HTTP/1.1 200").endsWith("first");
        }
    }

    @Test
    void aClientThatStopsReadingLongerThanIdleTimeoutStillGetsTheWholeBody() throws Exception {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /big/x HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            byte[] start = in.readNBytes(12);
            Thread.sleep(3_000); // the upstream sends nothing meanwhile: the proxy stopped reading it, not waiting on it
            String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(new String(start, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
            assertThat(rest).endsWith("\r\n\r\n" + "b".repeat(BIG));
        }
    }

    @Test
    void aBodyStreamingLongerThanRequestTimeoutIsNotCut() throws Exception {
        RawHttp.Reply reply = get("/trickles/x");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).endsWith("\r\n\r\nxxxxxxxx");
    }

    @Test
    void aTryThatTimesOutIsRetriedOnTheNextTarget() throws Exception {
        int before = silent.requests();
        RawHttp.Reply reply = get("/per-try/x"); // the pool's first request goes to its first target, the silent one
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).endsWith("fine");
        assertThat(silent.requests() - before).isEqualTo(1);
    }
}
