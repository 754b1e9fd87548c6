package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** --proxy against a real upstream (the JDK's HttpServer) through the real ingress. */
class ProxyStageTest {
    private static HttpServer upstream;
    private static IngressServer server;
    private static int port;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            StringBuilder echo = new StringBuilder()
                    .append(exchange.getRequestMethod()).append(' ').append(exchange.getRequestURI()).append('\n')
                    .append("x-test=").append(exchange.getRequestHeaders().getFirst("x-test")).append('\n')
                    .append("x-forwarded-for=").append(exchange.getRequestHeaders().getFirst("x-forwarded-for")).append('\n')
                    .append("x-forwarded-host=").append(exchange.getRequestHeaders().getFirst("x-forwarded-host")).append('\n')
                    .append("body=");
            byte[] head = echo.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("x-upstream", "a");
            exchange.getResponseHeaders().add("x-upstream", "b");
            int status = exchange.getRequestURI().getPath().endsWith("/missing") ? 404 : 200;
            exchange.sendResponseHeaders(status, head.length + body.length);
            exchange.getResponseBody().write(head);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        String upstreamUrl = "http://127.0.0.1:" + upstream.getAddress().getPort();
        int deadPort = FreePort.next();
        ProxyStage proxy = new ProxyStage(List.of(
                ProxyRoute.parse("/api/...=" + upstreamUrl + "/v1"),
                ProxyRoute.parse("/root/...=" + upstreamUrl),
                ProxyRoute.parse("/slash/...=" + upstreamUrl + "/v2/"),
                ProxyRoute.parse("/dead/...=http://127.0.0.1:" + deadPort)),
                new StreamingProxy(ProxyHeaders.untrusting(), java.time.Duration.ofSeconds(10)));
        port = FreePort.next();
        server = ProxyFixture.serve(proxy, port);
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

    @Test
    void forwardsMethodPathQueryHeadersAndBinaryBody() throws Exception {
        byte[] body = new byte[256];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        HttpResponse<byte[]> response = CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/users/7?x=1&y=%20"))
                .header("x-test", "hello").PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        String expectedHead = "PUT /v1/users/7?x=1&y=%20\n"
                + "x-test=hello\n"
                + "x-forwarded-for=127.0.0.1\n"
                + "x-forwarded-host=127.0.0.1:" + port + "\n"
                + "body=";
        byte[] head = expectedHead.getBytes(StandardCharsets.UTF_8);
        assertThat(response.body()).hasSize(head.length + body.length);
        assertThat(java.util.Arrays.copyOfRange(response.body(), 0, head.length)).isEqualTo(head);
        assertThat(java.util.Arrays.copyOfRange(response.body(), head.length, response.body().length)).isEqualTo(body);
        assertThat(response.headers().allValues("x-upstream")).containsExactly("a", "b");
    }

    @Test
    void upstreamStatusPassesThroughAndOtherPathsReachTheManifest() throws Exception {
        HttpResponse<String> missing = CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/missing")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        HttpResponse<String> other = CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/apix")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.body()).isEqualTo("from manifest");
    }

    @Test
    void unreachableUpstreamIs502() throws Exception {
        HttpResponse<byte[]> response = CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/dead/x")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void theUpstreamPathIsItsBasePlusThePathInfoAndTheQuery() throws Exception {
        Map<String, String> expected = Map.of(
                "/root", "GET /", "/root/a?q=1", "GET /a?q=1", "/api", "GET /v1", "/api/", "GET /v1/",
                "/slash/a", "GET /v2/a", "/slash", "GET /v2");
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + entry.getKey())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).as(entry.getKey()).startsWith(entry.getValue() + "\n");
        }
        assertThat(StreamingProxy.base(URI.create("HTTP://u:1/v1//"))).hasToString("http://u:1/v1");
    }

    @Test
    void badSpecsAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> ProxyRoute.parse("/api")).hasMessageContaining("<route>=<upstream-url>");
        assertThatThrownBy(() -> ProxyRoute.parse("/api=ftp://x")).hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> ProxyRoute.parse("api=http://x")).hasMessageContaining("must start with '/'");
    }

    @Test
    void anUpstreamWithUserInfoQueryOrFragmentIsRefusedNotSilentlyDropped() {
        assertThatThrownBy(() -> ProxyRoute.parse("/api/...=http://user:pw@u/base"))
                .hasMessage("--proxy '/api/...=...': upstream URL 'http://***@u/base' must not have user info, a query"
                        + " or a fragment");
        assertThatThrownBy(() -> ProxyRoute.parse("/api/...=http://u/base?x=1")).hasMessageContaining("a query");
        assertThatThrownBy(() -> ProxyRoute.parse("/api/...=http://u/base#f")).hasMessageContaining("a fragment");
    }
}
