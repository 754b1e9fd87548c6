package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Chunked trailers pass through the proxy, from a real upstream to a raw client. */
class ProxyTrailersTest {
    private static RawUpstream upstream;
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        upstream = new RawUpstream((head, out, socket) -> out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                + "Trailer: x-checksum\r\n\r\n5\r\nhello\r\n0\r\nx-checksum: abc123\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1)));
        ProxyStage proxy = new ProxyStage(List.of(ProxyRoute.parse("/p/...=" + upstream.url())),
                new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30)));
        port = FreePort.next();
        server = ProxyFixture.serve(proxy, port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        upstream.close();
    }

    @Test
    void responseTrailersReachTheClient() throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            // Keep-alive: the answer is chunked, the only HTTP/1.1 framing that carries trailers.
            http.send("GET /p/x HTTP/1.1\r\nHost: edge.test\r\nTE: trailers\r\n\r\n");
            InputStream in = http.input();
            StringBuilder seen = new StringBuilder();
            int last;
            while (!(seen.indexOf("\r\n0\r\n") >= 0 && seen.toString().endsWith("\r\n\r\n")
                    && seen.lastIndexOf("\r\n\r\n") > seen.indexOf("\r\n0\r\n")) && (last = in.read()) >= 0) {
                seen.append((char) last);
            }
            String response = seen.toString();
            assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            // Re-chunked by edge (a chunk size may have leading zeros), the trailer field after the last chunk.
            assertThat(body).matches("0*5\r\nhello\r\n0\r\nx-checksum: abc123\r\n\r\n");
        }
    }
}
