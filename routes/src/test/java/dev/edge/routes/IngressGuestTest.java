package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.wasm.CompiledModule;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.WasmHttpHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ingress with real Wasm guests (built by scripts/build-wasm.sh): routes/src/test/guests/echo.c
 * reflects every header it sees and the exact body; wasm-exec's trap guest traps.
 */
class IngressGuestTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final List<GuestHandler> HANDLERS = new ArrayList<>();
    private static DeadlineWatchdog watchdog;
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        watchdog = new DeadlineWatchdog();
        GuestLimits limits = new GuestLimits(32L << 20, Duration.ofSeconds(10), 1L << 20, 1L << 20, 4);
        GuestHandler echo = load("echo", Path.of("src/test/resources/guests/echo.wasm"), limits);
        GuestHandler trap = load("trap", Path.of("../wasm-exec/src/test/resources/guests/trap.wasm"), limits);
        List<HttpTrigger> triggers = List.of(
                trigger("/echo/...", "echo"),
                trigger("/items/:item_id", "echo"),
                trigger("/trap", "trap"));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers),
                Map.of(triggers.get(0), echo, triggers.get(1), echo, triggers.get(2), trap), List.of(), "guest-app", "0.0.1", null);
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, limits.maxRequestBody(), dispatcher);
    }

    private static GuestHandler load(String id, Path wasm, GuestLimits limits) throws Exception {
        CompiledModule module = CompiledModule.loadHttp(id, wasm, Optional.empty(), limits.maxMemoryBytes());
        WasmHttpHandler handler = new WasmHttpHandler(module, null, Set.of(), Map.of(), Map.of(), limits,
                ExecutorOptions.defaults(), watchdog);
        handler.warmUp();
        HANDLERS.add(handler);
        return handler;
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        HANDLERS.forEach(GuestHandler::close);
        if (watchdog != null) {
            watchdog.close();
        }
    }

    @Test
    void guestSeesClientHeadersPlusExactlyTheSpinHeaders() throws Exception {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/echo/a/b?q=1&r=2"))
                .header("X-Rep", "first").header("X-Rep", "second")
                .header("spin-full-url", "http://evil/").header("Spin-Path-Info", "/evil")
                .GET());
        assertThat(response.statusCode()).isEqualTo(200);
        Echo echo = Echo.parse(response.body());
        List<String> spin = echo.headers.stream().filter(h -> h.getKey().startsWith("spin-")).map(Map.Entry::getKey).toList();
        assertThat(spin).containsExactly("spin-full-url", "spin-path-info", "spin-matched-route", "spin-base-path",
                "spin-raw-component-route", "spin-component-route", "spin-client-addr");
        assertThat(echo.header("spin-full-url")).isEqualTo("http://127.0.0.1:" + port + "/echo/a/b?q=1&r=2");
        assertThat(echo.header("spin-path-info")).isEqualTo("/a/b");
        assertThat(echo.header("spin-matched-route")).isEqualTo("/echo/...");
        assertThat(echo.header("spin-component-route")).isEqualTo("/echo");
        assertThat(echo.header("spin-client-addr")).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(echo.headers).filteredOn(h -> h.getKey().equals("x-rep")).extracting(Map.Entry::getValue)
                .containsExactly("first", "second");
        // Nothing but what the client sent (HttpClient adds host, content-length, user-agent), spin-* and the
        // request id edge generated (docs/observability.md).
        assertThat(echo.headers).extracting(Map.Entry::getKey).filteredOn(n -> !n.startsWith("spin-"))
                .isSubsetOf("x-rep", "host", "user-agent", "content-length", "x-request-id")
                .noneMatch(n -> n.toLowerCase().startsWith("camel"));
        assertThat(echo.header("x-request-id")).matches("[0-9a-f]{32}");
    }

    @Test
    void pathParametersBecomeSpinPathMatchHeaders() throws Exception {
        Echo echo = Echo.parse(send(HttpRequest.newBuilder(uri("/items/42")).GET()).body());
        assertThat(echo.header("spin-path-match-item-id")).isEqualTo("42");
        assertThat(echo.header("spin-path-info")).isEmpty();
        assertThat(echo.headers).extracting(Map.Entry::getKey).doesNotHaveDuplicates();
    }

    @Test
    void bodiesAreBinarySafeBothWays() throws Exception {
        byte[] body = new byte[70_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/echo/bin"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(Echo.parse(response.body()).body).isEqualTo(body);

        byte[] form = "a=1&b=%20x&c=\u00e9".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> formResponse = send(HttpRequest.newBuilder(uri("/echo/form"))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofByteArray(form)));
        assertThat(Echo.parse(formResponse.body()).body).isEqualTo(form);

        // Chunked (no content-length) arrives intact too.
        HttpResponse<byte[]> chunked = send(HttpRequest.newBuilder(uri("/echo/chunked"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))));
        assertThat(Echo.parse(chunked.body()).body).isEqualTo(body);
    }

    @Test
    void guestStatusAndRepeatedResponseHeadersAreKept() throws Exception {
        for (int status : new int[] {201, 204, 302, 418, 503}) {
            HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/echo/s")).header("x-status", "" + status).GET());
            assertThat(response.statusCode()).isEqualTo(status);
            assertThat(response.headers().allValues("x-multi")).containsExactly("1", "2");
        }
    }

    /**
     * A guest may not send an interim (1xx) or an out-of-range status: it fails like a trap (500), and a pipelined
     * connection stays in step, each answer belonging to its own request.
     */
    @ParameterizedTest
    @ValueSource(ints = {100, 103, 199, 0, 99, 600, 999})
    void guestStatusOutside200To599Is500AndPipelinedConnectionStaysInSync(int status) throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /echo/one HTTP/1.1\r\nHost: x\r\nX-Status: " + status + "\r\n\r\n"
                    + "GET /echo/two HTTP/1.1\r\nHost: x\r\nX-Status: 201\r\n\r\n");
            RawHttp.Reply first = http.readReply();
            assertThat(first.status()).as(first.text()).isEqualTo(500);
            RawHttp.Reply second = http.readReply();
            assertThat(second.status()).as(second.text()).isEqualTo(201);
            assertThat(second.text()).contains("x-status: 201");
        }
    }

    @Test
    void trappingGuestIs500WithEmptyBody() throws Exception {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri("/trap")).GET());
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEmpty();
        // The server keeps serving.
        assertThat(send(HttpRequest.newBuilder(uri("/echo/ok")).GET()).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    private static HttpTrigger trigger(String route, String component) {
        return new HttpTrigger(route, false, Optional.of(component), Optional.empty(), Executor.http());
    }

    /** The echo guest's answer: header lines, a blank line, the body bytes. */
    private record Echo(List<Map.Entry<String, String>> headers, byte[] body) {
        static Echo parse(byte[] response) {
            int end = -1;
            for (int i = 0; i < response.length; i++) {
                if (response[i] == '\n' && (i == 0 || response[i - 1] == '\n')) {
                    end = i;
                    break;
                }
            }
            assertThat(end).as("echo guest output has a header block").isNotNegative();
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            String head = new String(response, 0, end, StandardCharsets.UTF_8);
            for (String line : head.split("\n")) {
                if (!line.isEmpty()) {
                    int colon = line.indexOf(": ");
                    headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 2)));
                }
            }
            return new Echo(headers, Arrays.copyOfRange(response, end + 1, response.length));
        }

        String header(String name) {
            return headers.stream().filter(h -> h.getKey().equals(name)).map(Map.Entry::getValue).findFirst().orElse(null);
        }
    }
}
