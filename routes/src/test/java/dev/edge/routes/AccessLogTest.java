package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: the access log (JSON lines and nginx combined) and the request id, through the real ingress: a guest,
 * a static response, a 404 and the health endpoint (answered on the IO thread), a 400 for a hostile target, and
 * the streaming proxy. Each line is read back from the file and parsed.
 */
class AccessLogTest {
    @TempDir
    static Path dir;
    private static HttpServer upstream;
    private static IngressServer inline;
    private static IngressServer proxied;
    private static AccessLog jsonLog;
    private static AccessLog combinedLog;
    private static int inlinePort;
    private static int proxiedPort;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** {@code combined} plus edge's fields, as docs/observability.md gives it. */
    private static final Pattern COMBINED = Pattern.compile("(\\S+) - - \\[(\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000)] "
            + "\"(\\S+) (\\S+) (\\S+)\" (\\d{3}) (\\d+) \"([^\"]*)\" \"([^\"]*)\" \"([^\"]*)\" (\\d+\\.\\d{3}) "
            + "\"([^\"]*)\" \"([^\"]*)\" \"([^\"]*)\"");

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = ("upstream saw " + exchange.getRequestHeaders().getFirst("x-request-id"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        jsonLog = AccessLog.toFile(dir.resolve("access.json"), AccessLogFormat.JSON);
        combinedLog = AccessLog.toFile(dir.resolve("access.log"), AccessLogFormat.COMBINED);
        inlinePort = FreePort.next();
        inline = IngressServer.start("127.0.0.1", inlinePort, HttpLimits.withMaxRequestBody(1 << 20), Optional.empty(),
                dev.edge.wasm.MemoryBudget.bodyDefault(), Optional.of(jsonLog), dispatcher(List.of()), () -> { });
        ProxyStage proxy = new ProxyStage(List.of(ProxyRoute.parse("/api/...=http://127.0.0.1:"
                + upstream.getAddress().getPort() + "/v1")), new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(10)));
        proxiedPort = FreePort.next();
        proxied = IngressServer.start("127.0.0.1", proxiedPort, HttpLimits.withMaxRequestBody(1 << 20), Optional.empty(),
                dev.edge.wasm.MemoryBudget.bodyDefault(), Optional.of(combinedLog), dispatcher(List.of(proxy)), () -> { });
    }

    /** {@code /static} (a static response) and {@code /guest/...}, a guest that answers with the id it was given. */
    private static SpinDispatcher dispatcher(List<IngressStage> stages) {
        HttpTrigger fixed = new HttpTrigger("/static", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "fixed")), Executor.http());
        HttpTrigger guest = new HttpTrigger("/guest/...", false, Optional.of("echo-id"), Optional.empty(), Executor.http());
        GuestHandler echo = new GuestHandler() {
            @Override
            public String componentId() {
                return "echo-id";
            }

            @Override
            public GuestResponse handle(GuestRequest request) {
                String id = request.headers().stream().filter(h -> h.getKey().equals("x-request-id"))
                        .map(Map.Entry::getValue).reduce((a, b) -> a + "," + b).orElse("none");
                return new GuestResponse(201, List.of(), ("guest saw " + id).getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public void close() {
            }
        };
        return new SpinDispatcher(new SpinRouter(List.of(fixed, guest)), Map.of(guest, echo), stages, "log", "1", null);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {inline, proxied, jsonLog, combinedLog}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void jsonLinesNameTheGuestAndCarryTheClientsRequestIdWhichTheGuestSees() throws Exception {
        HttpResponse<String> response = send(inlinePort, "/guest/a?x=1", "client-id-1");
        assertThat(response.body()).isEqualTo("guest saw client-id-1");
        assertThat(response.headers().firstValue("x-request-id")).as("not added to the response, as Envoy").isEmpty();

        JsonObject line = jsonLine("client-id-1");
        assertThat(line.getString("method")).isEqualTo("GET");
        assertThat(line.getString("path")).isEqualTo("/guest/a?x=1");
        assertThat(line.getString("protocol")).isEqualTo("HTTP/1.1");
        assertThat(line.getInteger("status")).isEqualTo(201);
        assertThat(line.getLong("bytes")).isEqualTo("guest saw client-id-1".length());
        assertThat(line.getString("route")).isEqualTo("echo-id");
        assertThat(line.getString("client")).isEqualTo("127.0.0.1");
        assertThat(line.get("upstream")).isNull();
        assertThat(line.getString("user_agent")).startsWith("Java-http-client");
        assertThat(line.getString("time")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");
        assertThat(((Number) line.get("duration_ms")).doubleValue()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aMissingOrInvalidRequestIdIsReplacedByAGeneratedOne() throws Exception {
        String generated = send(inlinePort, "/guest/generated", null).body().substring("guest saw ".length());
        assertThat(generated).matches("[0-9a-f]{32}");
        assertThat(jsonLine(generated).getString("path")).isEqualTo("/guest/generated");

        String replaced = send(inlinePort, "/guest/invalid", "has space").body().substring("guest saw ".length());
        assertThat(replaced).matches("[0-9a-f]{32}");
        String tooLong = send(inlinePort, "/guest/long", "x".repeat(RequestId.MAX_LENGTH + 1)).body();
        assertThat(tooLong).matches("guest saw [0-9a-f]{32}");
        String longest = send(inlinePort, "/guest/longest", "y".repeat(RequestId.MAX_LENGTH)).body();
        assertThat(longest).isEqualTo("guest saw " + "y".repeat(RequestId.MAX_LENGTH));
    }

    @Test
    void staticHealthAnd404AnsweredOnTheIoThreadAreLogged() throws Exception {
        send(inlinePort, "/static", "static-1");
        send(inlinePort, "/.well-known/spin/health", "health-1");
        send(inlinePort, "/nowhere", "missing-1");
        assertThat(jsonLine("static-1")).containsEntry("route", "static").containsEntry("bytes", java.math.BigDecimal.valueOf(5));
        assertThat(jsonLine("health-1")).containsEntry("route", "well-known").containsEntry("path", "/.well-known/spin/health");
        JsonObject missing = jsonLine("missing-1");
        assertThat(missing.getInteger("status")).isEqualTo(404);
        assertThat(missing.getString("route")).isEqualTo("no-route");
    }

    @Test
    void aHostileTargetRefusedWith400IsLogged() throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(inlinePort, "GET /a/%2e%2e/b HTTP/1.1\r\nHost: x\r\nx-request-id: hostile-1\r\n\r\n");
        assertThat(reply.status()).isEqualTo(400);
        JsonObject line = jsonLine("hostile-1");
        assertThat(line.getInteger("status")).isEqualTo(400);
        assertThat(line.getString("path")).isEqualTo("/a/%2e%2e/b");
        assertThat(line.get("route")).isNull();
    }

    @Test
    void combinedLinesNameTheUpstreamAndTargetOfAProxiedRequest() throws Exception {
        HttpResponse<String> response = send(proxiedPort, "/api/things?q=\"1\"".replace("\"", "%22"), "proxy-1");
        assertThat(response.body()).as("the upstream gets the id").isEqualTo("upstream saw proxy-1");
        Matcher line = combinedLine("proxy-1");
        String upstreamUrl = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
        assertThat(line.group(1)).isEqualTo("127.0.0.1");
        assertThat(line.group(3)).isEqualTo("GET");
        assertThat(line.group(4)).isEqualTo("/api/things?q=%221%22");
        assertThat(line.group(6)).isEqualTo("200");
        assertThat(line.group(7)).isEqualTo(Integer.toString("upstream saw proxy-1".length()));
        assertThat(line.group(8)).isEqualTo("-");
        assertThat(line.group(12)).isEqualTo("proxy");
        assertThat(line.group(13)).isEqualTo(upstreamUrl);
        assertThat(line.group(14)).isEqualTo(upstreamUrl);
    }

    @Test
    void combinedLinesForAGuestBehindStagesAndAGeneratedId() throws Exception {
        String id = send(proxiedPort, "/guest/b", null).body().substring("guest saw ".length());
        Matcher line = combinedLine(id);
        assertThat(line.group(6)).isEqualTo("201");
        assertThat(line.group(12)).isEqualTo("echo-id");
        assertThat(line.group(13)).isEqualTo("-");
        send(proxiedPort, "/nowhere", "missing-2");
        assertThat(combinedLine("missing-2").group(6)).isEqualTo("404");
    }

    @Test
    void combinedEscapesQuotesAndNonAsciiAsNginxDoes() {
        StringBuilder out = new StringBuilder();
        AccessLogFormat.COMBINED.append(new AccessLog.Entry(0, "::1", "GET", "/", "HTTP/1.1", 200, 0, 1_500_000,
                null, null, null, "id", "a\"b\\c", "caf\u00e9"), out);
        assertThat(out.toString()).isEqualTo("::1 - - [01/Jan/1970:00:00:00 +0000] \"GET / HTTP/1.1\" 200 0 "
                + "\"a\\\"b\\\\c\" \"caf\\xC3\\xA9\" \"id\" 0.002 \"-\" \"-\" \"-\"");
    }

    private static HttpResponse<String> send(int port, String path, String requestId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (requestId != null) {
            request.header("x-request-id", requestId);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject jsonLine(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).alias(requestId + " in access.json").until(() -> lines("access.json").stream()
                .map(l -> {
                    try {
                        return (JsonObject) Jsoner.deserialize(l);
                    } catch (Exception e) {
                        throw new AssertionError("not a JSON object: " + l, e);
                    }
                })
                .filter(o -> requestId.equals(o.getString("request_id"))).findFirst(), Optional::isPresent).get();
    }

    private static Matcher combinedLine(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> lines("access.log").stream()
                .map(l -> {
                    Matcher m = COMBINED.matcher(l);
                    assertThat(m.matches()).as(l).isTrue();
                    return m;
                })
                .filter(m -> m.group(10).equals(requestId)).findFirst(), Optional::isPresent).get();
    }

    private static List<String> lines(String file) throws IOException {
        return Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8);
    }
}
