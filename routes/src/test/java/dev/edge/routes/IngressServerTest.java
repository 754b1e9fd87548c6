package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Camel/Undertow ingress against a real HTTP client, with static_response triggers. */
class IngressServerTest {
    private static final long MAX_BODY = 1024;
    private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
    private static IngressServer server;
    private static int port;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        List<HttpTrigger> triggers = List.of(
                staticTrigger("/hello", new StaticResponse(201, Map.of("x-custom", "yes", "content-type", "text/plain; charset=utf-8"), "héllo\nworld")),
                staticTrigger("/teapot/...", new StaticResponse(418, Map.of(), "")),
                staticTrigger("/items/:id", new StaticResponse(200, Map.of("content-type", "application/json"), "{\"ok\":true}")));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(), List.of(),
                "static-app", "1.2.3", new RequestMetrics(METERS));
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, MAX_BODY, dispatcher);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void staticResponseIsServedExactly() throws Exception {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/hello?x=1")).GET());
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("héllo\nworld");
        assertThat(response.headers().firstValue("x-custom")).contains("yes");
        assertThat(response.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
        assertThat(response.headers().firstValueAsLong("content-length")).hasValue(response.body().length);
    }

    @Test
    void noCamelOrUndertowHeadersLeakIntoResponses() throws Exception {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/items/42"))
                .header("CamelHttpResponseCode", "500").header("x-request", "1").GET());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().map().keySet())
                .map(String::toLowerCase)
                // Undertow's own hop-by-hop "connection: keep-alive" is the only header beyond Spin's.
                .containsExactlyInAnyOrder("content-type", "content-length", "date", "connection");
    }

    @Test
    void wildcardStaticRouteAndMethods() throws Exception {
        for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/teapot/a/b"))
                    .method(method, HttpRequest.BodyPublishers.ofString("x")));
            assertThat(response.statusCode()).as(method).isEqualTo(418);
            assertThat(response.body()).as(method).isEmpty();
        }
    }

    @Test
    void noMatchIsEmpty404() throws Exception {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/nothing/here")).GET());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEmpty();
        assertThat(send(HttpRequest.newBuilder(uri("/hello/")).GET()).statusCode()).isEqualTo(404);
    }

    @Test
    void wellKnownEndpoints() throws Exception {
        HttpResponse<byte[]> health = send(HttpRequest.newBuilder(uri("/.well-known/spin/health")).GET());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(new String(health.body())).isEqualTo("OK");

        HttpResponse<byte[]> info = send(HttpRequest.newBuilder(uri("/.well-known/spin/info")).GET());
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(info.headers().firstValue("content-type")).contains("application/json");
        assertThat(new String(info.body())).isEqualTo("{\"name\":\"static-app\",\"version\":\"1.2.3\"}");

        HttpResponse<byte[]> other = send(HttpRequest.newBuilder(uri("/.well-known/spin/other")).GET());
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).isEmpty();
    }

    @Test
    void bodyOverLimitIs413() throws Exception {
        byte[] big = new byte[(int) MAX_BODY + 1];
        HttpResponse<byte[]> declared = send(HttpRequest.newBuilder(uri("/hello"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)));
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.body()).isEmpty();

        // Chunked: no Content-Length, so the limit is enforced while reading.
        HttpResponse<byte[]> chunked = send(HttpRequest.newBuilder(uri("/hello"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[(int) MAX_BODY * 4]))));
        assertThat(chunked.statusCode()).isEqualTo(413);

        HttpResponse<byte[]> atLimit = send(HttpRequest.newBuilder(uri("/hello"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[(int) MAX_BODY])));
        assertThat(atLimit.statusCode()).isEqualTo(201);
    }

    @Test
    void formBodiesDoNotBreakTheRequest() throws Exception {
        HttpResponse<byte[]> form = send(HttpRequest.newBuilder(uri("/hello"))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("a=1&b=2")));
        assertThat(form.statusCode()).isEqualTo(201);
        HttpResponse<byte[]> multipart = send(HttpRequest.newBuilder(uri("/hello"))
                .header("content-type", "multipart/form-data; boundary=XX")
                .POST(HttpRequest.BodyPublishers.ofString("--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XX--\r\n")));
        assertThat(multipart.statusCode()).isEqualTo(201);
    }

    @Test
    void requestsAreCountedPerTarget() throws Exception {
        send(HttpRequest.newBuilder(uri("/items/7")).GET());
        assertThat(METERS.find(RequestMetrics.METER_NAME).tags("target", "static", "status", "200").timer())
                .isNotNull()
                .satisfies(timer -> assertThat(timer.count()).isPositive());
        assertThat(METERS.getMeters()).extracting(m -> m.getId().getTag("target"))
                .isSubsetOf(Set.of("static", "well-known", "no-route"));
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    private static HttpTrigger staticTrigger(String route, StaticResponse response) {
        return new HttpTrigger(route, false, Optional.empty(), Optional.of(response), Executor.http());
    }
}
