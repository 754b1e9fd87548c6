package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.wasm.GuestResponse;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every body up to {@code max_request_body} reaches the handler, whatever its framing; a larger one is answered
 * 413 with {@code Connection: close}, and the client reads that answer even while it is still sending.
 */
class RequestBodySizeTest {
    /** Well above Undertow's own 2 MiB default entity limit, which used to cut bodies short. */
    private static final int LIMIT = 6 << 20;
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        SpinDispatcher dispatcher = JavaGuest.catchAll("bodies",
                request -> new GuestResponse(200, List.of(), summary(request.body()).getBytes(StandardCharsets.UTF_8)));
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, HttpLimits.withMaxRequestBody(LIMIT), dispatcher);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void bodiesUpToTheLimitReachTheHandlerWithAnyFraming() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int size : new int[] {(2 << 20) + 1, LIMIT}) {
            byte[] body = pattern(size);
            HttpResponse<String> declared = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/b"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(declared.statusCode()).as("declared %d", size).isEqualTo(200);
            assertThat(declared.body()).isEqualTo(summary(body));
            // an InputStream publisher has no known length: the JDK client sends it chunked
            HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/b"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(chunked.statusCode()).as("chunked %d", size).isEqualTo(200);
            assertThat(chunked.body()).isEqualTo(summary(body));
        }
    }

    @Test
    void declaredBodyOverTheLimitIs413WhileTheClientIsStillSending() throws Exception {
        int size = LIMIT + (5 << 20);
        String head = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n";
        assertAnswered413WhileSending(head.getBytes(StandardCharsets.ISO_8859_1), pattern(size));
    }

    @Test
    void chunkedBodyOverTheLimitIs413WhileTheClientIsStillSending() throws Exception {
        String head = "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        byte[] chunk = pattern(64 * 1024);
        for (int sent = 0; sent <= LIMIT + (5 << 20); sent += chunk.length) {
            chunks.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            chunks.writeBytes(chunk);
            chunks.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        chunks.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertAnswered413WhileSending(head.getBytes(StandardCharsets.ISO_8859_1), chunks.toByteArray());
    }

    /** Sends head and body on one thread while reading the answer on another, as a real client does. */
    private static void assertAnswered413WhileSending(byte[] head, byte[] body) throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    http.send(head);
                    for (int i = 0; i < body.length; i += 16 * 1024) {
                        http.send(Arrays.copyOfRange(body, i, Math.min(body.length, i + 16 * 1024)));
                    }
                } catch (java.io.IOException e) {
                    // the server may close once it has answered and drained what it will
                }
            });
            RawHttp.Reply reply = http.readReply();
            assertThat(reply.status()).as(reply.text()).isEqualTo(413);
            assertThat(reply.text()).contains("Connection: close");
            sending.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 9));
        }
        return bytes;
    }

    private static String summary(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        return body.length + " " + Long.toHexString(crc.getValue());
    }
}
