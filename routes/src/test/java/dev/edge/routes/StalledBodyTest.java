package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.MemoryBudget;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request body that stops arriving is given up after the listener's idle timeout ({@link HttpLimits#idleTimeout()}):
 * the connection is closed and the body's share of the body-buffer budget comes back, so slow-body clients cannot
 * hold the budget (or connections) forever. A body that keeps arriving, however slowly, is not cut.
 */
class StalledBodyTest {
    private static final int BUDGET = 64 * 1024;
    private static final MemoryBudget BODIES = new MemoryBudget("body buffers", BUDGET);
    private static final Duration IDLE = Duration.ofSeconds(1);
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        SpinDispatcher dispatcher = JavaGuest.catchAll("stalled", request -> new GuestResponse(200, List.of(),
                String.valueOf(request.body().length).getBytes(StandardCharsets.UTF_8)));
        port = FreePort.next();
        HttpLimits limits = HttpLimits.withMaxRequestBody(1 << 20)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), IDLE);
        server = IngressServer.start("127.0.0.1", port, limits, java.util.Optional.empty(), BODIES, dispatcher);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aDeclaredBodyThatStallsIsClosedAfterTheIdleTimeoutAndGivesItsBudgetBack() throws Exception {
        int declared = BUDGET * 3 / 4;
        try (RawHttp stalled = new RawHttp(port)) {
            stalled.send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: " + declared + "\r\n\r\nabc");
            // Taken before the server can have read the last byte: seen after the await below, it was up to a poll
            // interval late, and a close right on time looked early (a CI flake: 0.8998 s measured for 1 s).
            long sent = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).until(() -> BODIES.used() >= declared);

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(stalled::closedByServer);

            assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("closed by the idle timeout, not before it")
                    .isGreaterThanOrEqualTo(IDLE.minusMillis(100));
            await().atMost(Duration.ofSeconds(5)).until(() -> BODIES.used() == 0);
        }
        // The budget it held serves the next body of that size.
        byte[] next = new byte[declared];
        RawHttp.Reply reply = RawHttp.exchange(port, concat(
                ("POST /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + declared + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1), next));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).endsWith(String.valueOf(declared));
    }

    @Test
    void aChunkedBodyThatStallsIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawHttp stalled = new RawHttp(port)) {
            stalled.send("POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
            long sent = System.nanoTime();

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(stalled::closedByServer);

            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(IDLE.minusMillis(100));
            await().atMost(Duration.ofSeconds(5)).until(() -> BODIES.used() == 0);
        }
    }

    @Test
    void aBodyThatKeepsArrivingSlowerThanTheIdleTimeoutInTotalIsServed() throws Exception {
        try (RawHttp slow = new RawHttp(port)) {
            slow.setTimeout(10_000);
            slow.send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n");
            for (int i = 0; i < 8; i++) { // 2.4 s in all, never 1 s without a byte
                Thread.sleep(300);
                slow.send("x");
            }
            RawHttp.Reply reply = slow.readReply();

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).endsWith("\r\n\r\n8");
        }
    }

    private static byte[] concat(byte[] head, byte[] body) {
        byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }
}
