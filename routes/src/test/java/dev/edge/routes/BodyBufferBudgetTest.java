package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.MemoryBudget;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Request bodies are buffered within the node's body-buffer budget ({@link BodyReceiver}): a declared length is
 * reserved up front, chunked bytes as they arrive; past the budget the answer is 503 + {@code Retry-After: 1},
 * and every reservation is given back when the exchange completes.
 */
class BodyBufferBudgetTest {
    private static final int BUDGET = 64 * 1024;
    private static final MemoryBudget BODIES = new MemoryBudget("body buffers", BUDGET);
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        SpinDispatcher dispatcher = JavaGuest.catchAll("budget", request -> new GuestResponse(200, List.of(),
                String.valueOf(request.body().length).getBytes(StandardCharsets.UTF_8)));
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, HttpLimits.withMaxRequestBody(1 << 20), java.util.Optional.empty(),
                BODIES, dispatcher);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void declaredBodyPastTheBudgetIs503WithRetryAfter() throws Exception {
        HttpResponse<String> response = send(HttpRequest.BodyPublishers.ofByteArray(new byte[4 * BUDGET]));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("retry-after")).hasValue("1");
        await().atMost(Duration.ofSeconds(10)).until(() -> BODIES.used() == 0);
    }

    @Test
    void chunkedBodyPastTheBudgetIs503WithRetryAfter() throws Exception {
        byte[] body = new byte[4 * BUDGET];
        // an InputStream publisher has no known length: the JDK client sends it chunked
        HttpResponse<String> response = send(HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(body)));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("retry-after")).hasValue("1");
        await().atMost(Duration.ofSeconds(10)).until(() -> BODIES.used() == 0);
    }

    @Test
    void bodiesWithinTheBudgetReachTheHandlerAndGiveTheirShareBack() throws Exception {
        byte[] body = new byte[BUDGET / 2];
        HttpResponse<String> declared = send(HttpRequest.BodyPublishers.ofByteArray(body));
        assertThat(declared.statusCode()).isEqualTo(200);
        assertThat(declared.body()).isEqualTo(String.valueOf(body.length));
        HttpResponse<String> chunked = send(HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(body)));
        assertThat(chunked.statusCode()).isEqualTo(200);
        assertThat(chunked.body()).isEqualTo(String.valueOf(body.length));
        await().atMost(Duration.ofSeconds(10)).until(() -> BODIES.used() == 0);
    }

    private static HttpResponse<String> send(HttpRequest.BodyPublisher body) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/b")).POST(body).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
