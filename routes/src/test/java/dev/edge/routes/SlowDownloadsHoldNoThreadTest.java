package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.wasm.GuestAdmission;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: a client reading a large proxied response slowly holds no thread of edge's. Many more slow downloads
 * than Undertow has worker threads are kept open, each read a little at a time through a small receive buffer; a
 * request that needs a worker thread, health and a fast proxied request are still answered at once, every download
 * still moves, and the gateway's threads do not grow with the downloads (loadtest/scripts/slow-downloads.sh runs
 * 1,000 against the jar).
 */
class SlowDownloadsHoldNoThreadTest {
    /** Undertow's worker pool: 8 per IO thread, max(cores, 2) IO threads (IngressListener). */
    private static final int WORKERS = 8 * Math.max(Runtime.getRuntime().availableProcessors(), 2);
    private static final int DOWNLOADS = Math.max(100, 4 * WORKERS);
    /** Far more than the socket buffers between the upstream and the client hold. */
    private static final int BIG = 64 << 20;
    private static final String UPSTREAM_THREAD = "slow-download-upstream";

    /** Answers on a worker thread (never inline on the IO thread). */
    private record WorkerGuest(String componentId) implements GuestHandler {
        @Override
        public GuestResponse handle(GuestRequest request) {
            return new GuestResponse(200, List.of(), "from a worker".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() {}
    }

    @Test
    void slowDownloadsHoldNoWorkerAndNoThread() throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2 * DOWNLOADS);
        ExecutorService upstreamThreads = Executors.newCachedThreadPool(r -> new Thread(r, UPSTREAM_THREAD));
        upstream.setExecutor(upstreamThreads);
        upstream.createContext("/big", exchange -> {
            exchange.sendResponseHeaders(200, BIG);
            byte[] chunk = new byte[64 * 1024];
            try (OutputStream out = exchange.getResponseBody()) {
                for (int sent = 0; sent < BIG; sent += chunk.length) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // the download was closed: the test is over
            }
        });
        upstream.createContext("/fast", exchange -> {
            byte[] body = "fast".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        GuestAdmission admission = new GuestAdmission(new GuestAdmission.Limits(4, 16, 4, Duration.ofSeconds(10)));
        HttpTrigger worker = new HttpTrigger("/worker", false, Optional.of("worker"), Optional.empty(), Executor.http());
        ProxyStage proxy = new ProxyStage(List.of(ProxyRoute.parse("/p/...=http://127.0.0.1:" + upstream.getAddress().getPort())),
                new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(60)));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(List.of(worker)),
                Map.of(worker, admission.admit(new WorkerGuest("worker"))), List.of(proxy), "slow", "1", null);
        int port = FreePort.next();
        IngressServer server = IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
        List<Socket> downloads = new ArrayList<>();
        try {
            assertThat(get(port, "/p/fast")).endsWith("fast"); // the proxy's machinery is up before counting
            int before = gatewayThreads();
            for (int i = 0; i < DOWNLOADS; i++) {
                Socket socket = new Socket();
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET /p/big HTTP/1.1\r\nHost: edge.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                downloads.add(socket);
            }
            for (Socket socket : downloads) {
                byte[] start = socket.getInputStream().readNBytes(1024);
                assertThat(new String(start, 0, 12, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            }
            // Every download is open, its response started and stalled on the client's full window.
            assertThat(get(port, "/worker")).as("a request needing a worker thread").endsWith("from a worker");
            assertThat(get(port, "/.well-known/spin/health")).startsWith("HTTP/1.1 200");
            assertThat(get(port, "/p/fast")).endsWith("fast");
            assertThat(gatewayThreads() - before).as("threads added while %d downloads are open", DOWNLOADS)
                    .isLessThan(DOWNLOADS / 4);
            for (Socket socket : downloads) { // each still moves, a little at a time
                assertThat(socket.getInputStream().readNBytes(64 * 1024)).hasSize(64 * 1024);
            }
        } finally {
            for (Socket socket : downloads) {
                socket.close();
            }
            server.close();
            upstream.stop(0);
            upstreamThreads.shutdownNow();
        }
    }

    /** Live threads of this JVM but the upstream's (the JDK server writes each big body from a thread of its own). */
    private static int gatewayThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.getName().equals(UPSTREAM_THREAD)).count();
    }

    /** One GET on a fresh connection, answered within 10 s: the whole response. */
    private static String get(int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
