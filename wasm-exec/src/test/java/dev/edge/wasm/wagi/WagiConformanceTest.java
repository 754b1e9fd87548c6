package dev.edge.wasm.wagi;

import static dev.edge.wasm.wagi.WagiGuests.Req;
import static dev.edge.wasm.wagi.WagiGuests.header;
import static dev.edge.wasm.wagi.WagiGuests.text;
import static dev.edge.wasm.wagi.WagiGuests.variables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.config.Executor;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestException;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The WAGI contract (/work/shared/reference/spin-semantics.md, "WAGI executor"), rule by rule, against a real
 * WASI command built from src/test/guests/wagi/cgi.c.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WagiConformanceTest {
    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private WagiHandler handler;

    @TempDir
    static Path stateDir;

    @BeforeAll
    void load() throws Exception {
        handler = WagiGuests.cgi(Executor.wagi(Executor.DEFAULT_WAGI_ARGV, Executor.DEFAULT_WAGI_ENTRYPOINT),
                Map.of("GREETING", "hi", "SERVER_SOFTWARE", "overridden-by-component"), WagiGuests.limits(),
                (component, stream, line) -> stderr.add(component + "/" + stream + ": " + line), watchdog, stateDir);
    }

    @AfterAll
    void close() {
        handler.close();
        watchdog.close();
    }

    private GuestResponse run(Req request) throws GuestException {
        return handler.handle(request.build());
    }

    private Map<String, String> env(Req request) throws GuestException {
        GuestResponse response = run(request.mode("env"));
        assertThat(response.status()).isEqualTo(200);
        return variables(response);
    }

    private GuestResponse raw(String cgiOutput) throws GuestException {
        return run(Req.get("/raw").mode("raw").body(cgiOutput));
    }

    @Nested
    class Input {
        @Test
        void argvIsTheRequestPathThenTheQueryWithAmpersandsAsSpaces() throws Exception {
            Map<String, String> vars = env(Req.get("/wagi/a%20b/c?x=1&y=two&z"));
            assertThat(vars).containsEntry("argc", "4").containsEntry("argv[0]", "/wagi/a%20b/c")
                    .containsEntry("argv[1]", "x=1").containsEntry("argv[2]", "y=two").containsEntry("argv[3]", "z");
        }

        @Test
        void emptyQueryLeavesAnEmptyLastArgumentAsInSpin() throws Exception {
            Map<String, String> vars = env(Req.get("/wagi"));
            assertThat(vars).containsEntry("argc", "2").containsEntry("argv[0]", "/wagi").containsEntry("argv[1]", "");
        }

        @Test
        void customArgvTemplate() throws Exception {
            try (WagiHandler custom = WagiGuests.cgi(Executor.wagi("prog --script ${SCRIPT_NAME} -- ${ARGS}", "_start"),
                    Map.of(), WagiGuests.limits(), (c, s, l) -> { }, watchdog, stateDir)) {
                Map<String, String> vars = variables(custom.handle(Req.get("/p/q?a=1&b=2").mode("env").build()));
                assertThat(vars).containsEntry("argc", "6").containsEntry("argv[0]", "prog")
                        .containsEntry("argv[1]", "--script").containsEntry("argv[2]", "/p/q")
                        .containsEntry("argv[3]", "--").containsEntry("argv[4]", "a=1").containsEntry("argv[5]", "b=2");
            }
        }

        @Test
        void bodyIsStdinByteForByte() throws Exception {
            byte[] head = "Content-Type: application/octet-stream\n\n".getBytes(StandardCharsets.US_ASCII);
            byte[] payload = new byte[70_000];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 31 + 7);
            }
            byte[] body = new byte[head.length + payload.length];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(payload, 0, body, head.length, payload.length);
            GuestResponse response = run(Req.get("/raw").method("POST").mode("raw").body(body));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(payload);
        }

        @Test
        void customEntrypoint() throws Exception {
            try (WagiHandler alt = WagiGuests.cgi(Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "alt_entry"), Map.of(),
                    WagiGuests.limits(), (c, s, l) -> { }, watchdog, stateDir)) {
                GuestResponse response = alt.handle(Req.get("/").build());
                assertThat(response.status()).isEqualTo(200);
                assertThat(text(response)).isEqualTo("alt entry\n");
            }
        }
    }

    @Nested
    class Environment {
        @Test
        void cgiRequestVariables() throws Exception {
            Map<String, String> vars = env(Req.get("/form?q=edge&n=1").method("POST").body("a=b")
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Host", "edge.test:3000"));
            assertThat(vars)
                    .containsEntry("REQUEST_METHOD", "POST")
                    .containsEntry("QUERY_STRING", "q=edge&n=1")
                    .containsEntry("CONTENT_LENGTH", "3")
                    .containsEntry("CONTENT_TYPE", "application/x-www-form-urlencoded")
                    .containsEntry("AUTH_TYPE", "");
        }

        @Test
        void contentTypeAndLengthAreAlwaysSetAsInSpin() throws Exception {
            Map<String, String> vars = env(Req.get("/x"));
            assertThat(vars).containsEntry("CONTENT_TYPE", "").containsEntry("CONTENT_LENGTH", "0")
                    .containsEntry("QUERY_STRING", "").containsEntry("REMOTE_USER", "");
        }

        @Test
        void serverVariables() throws Exception {
            Map<String, String> vars = env(Req.get("/x").header("Host", "edge.test:3000"));
            assertThat(vars)
                    .containsEntry("GATEWAY_INTERFACE", "CGI/1.1")
                    .containsEntry("SERVER_NAME", "edge.test")
                    .containsEntry("SERVER_PORT", "3000")
                    .containsEntry("SERVER_PROTOCOL", "HTTP/1.1");
        }

        @Test
        void serverPortDefaultsFromTheScheme() throws Exception {
            assertThat(env(Req.get("/x").header("Host", "example.com"))).containsEntry("SERVER_NAME", "example.com")
                    .containsEntry("SERVER_PORT", "80");
            assertThat(env(Req.get("/x").header("Host", "[::1]:8443"))).containsEntry("SERVER_NAME", "[::1]")
                    .containsEntry("SERVER_PORT", "8443");
        }

        @Test
        void remoteAddressWithoutPort() throws Exception {
            assertThat(env(Req.get("/x").client("192.0.2.7:5555"))).containsEntry("REMOTE_ADDR", "192.0.2.7")
                    .containsEntry("REMOTE_HOST", "192.0.2.7");
            assertThat(env(Req.get("/x").client("[2001:db8::1]:5555"))).containsEntry("REMOTE_ADDR", "2001:db8::1");
        }

        @Test
        void routingVariablesFromTheSpinHeadersOfAWildcardRoute() throws Exception {
            Map<String, String> vars = env(Req.get("/static/dir/a%20b.txt?v=1").routed("/static/...", Map.of()));
            assertThat(vars)
                    .containsEntry("SCRIPT_NAME", "/static")
                    .containsEntry("PATH_INFO", "/dir/a%20b.txt")
                    .containsEntry("X_RAW_PATH_INFO", "/dir/a%20b.txt")
                    .containsEntry("PATH_TRANSLATED", "/dir/a b.txt")
                    .containsEntry("X_FULL_URL", "http://edge.test:3000/static/dir/a%20b.txt?v=1")
                    .containsEntry("X_MATCHED_ROUTE", "/static/...")
                    .containsEntry("X_COMPONENT_ROUTE", "/static")
                    .containsEntry("X_RAW_COMPONENT_ROUTE", "/static/...")
                    .containsEntry("X_BASE_PATH", "/")
                    .containsEntry("X_CLIENT_ADDR", "10.1.2.3:45678");
        }

        @Test
        void exactRouteHasAnEmptyPathInfo() throws Exception {
            Map<String, String> vars = env(Req.get("/cart").routed("/cart", Map.of()));
            assertThat(vars).containsEntry("SCRIPT_NAME", "/cart").containsEntry("PATH_INFO", "")
                    .containsEntry("PATH_TRANSLATED", "");
        }

        @Test
        void pathMatchesBecomeUpperCaseVariables() throws Exception {
            Map<String, String> vars = env(Req.get("/users/42/posts/hello")
                    .routed("/users/:user_id/posts/:path_segment", Map.of("user-id", "42", "path-segment", "hello")));
            assertThat(vars).containsEntry("X_PATH_MATCH_USER_ID", "42")
                    .containsEntry("X_PATH_MATCH_PATH_SEGMENT", "hello");
        }

        @Test
        void requestHeadersBecomeHttpVariablesExceptAuthorizationConnectionAndRoutingHeaders() throws Exception {
            Map<String, String> vars = env(Req.get("/h").header("Accept", "text/plain").header("x-custom-thing", "v1")
                    .header("Authorization", "Bearer secret").header("Connection", "keep-alive")
                    .header("User-Agent", "curl/8").header("x-repeated", "first").header("X-Repeated", "second")
                    .routed("/h", Map.of()));
            assertThat(vars)
                    .containsEntry("HTTP_ACCEPT", "text/plain")
                    .containsEntry("HTTP_X_CUSTOM_THING", "v1")
                    .containsEntry("HTTP_USER_AGENT", "curl/8")
                    .containsEntry("HTTP_X_MODE", "env")
                    .containsEntry("HTTP_X_REPEATED", "second")
                    .doesNotContainKeys("HTTP_AUTHORIZATION", "HTTP_CONNECTION");
            assertThat(vars.keySet()).noneMatch(k -> k.startsWith("HTTP_SPIN_"));
            assertThat(vars.values()).doesNotContain("Bearer secret");
        }

        @Test
        void componentEnvironmentIsPresentAndWinsOnAClash() throws Exception {
            assertThat(env(Req.get("/e"))).containsEntry("GREETING", "hi")
                    .containsEntry("SERVER_SOFTWARE", "overridden-by-component");
        }

        @Test
        void serverSoftwareIsWagiWithoutAnOverride() throws Exception {
            try (WagiHandler plain = WagiGuests.cgi(Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"), Map.of(),
                    WagiGuests.limits(), (c, s, l) -> { }, watchdog, stateDir)) {
                assertThat(variables(plain.handle(Req.get("/").mode("env").build())))
                        .containsEntry("SERVER_SOFTWARE", "WAGI/1");
            }
        }

        @Test
        void eachRequestGetsAFreshEnvironment() throws Exception {
            assertThat(env(Req.get("/one?a").header("x-only-first", "1"))).containsEntry("HTTP_X_ONLY_FIRST", "1");
            Map<String, String> second = env(Req.get("/two?b"));
            assertThat(second).containsEntry("QUERY_STRING", "b").containsEntry("argv[0]", "/two")
                    .doesNotContainKey("HTTP_X_ONLY_FIRST");
        }
    }

    @Nested
    class Output {
        @Test
        void headersBlankLineBody() throws Exception {
            GuestResponse response = raw("Content-Type: text/plain\nX-Extra: yes\n\nthe body\n");
            assertThat(response.status()).isEqualTo(200);
            assertThat(header(response, "content-type")).isEqualTo("text/plain");
            assertThat(header(response, "x-extra")).isEqualTo("yes");
            assertThat(text(response)).isEqualTo("the body\n");
        }

        @Test
        void carriageReturnsInTheHeaderBlockAreIgnoredButKeptInTheBody() throws Exception {
            GuestResponse response = raw("Status: 201 Created\r\nContent-Type: text/csv\r\n\r\na,b\r\n1,2\r\n");
            assertThat(response.status()).isEqualTo(201);
            assertThat(header(response, "content-type")).isEqualTo("text/csv");
            assertThat(text(response)).isEqualTo("a,b\r\n1,2\r\n");
        }

        @Test
        void statusHeaderSetsTheStatus() throws Exception {
            GuestResponse response = raw("Status: 404 Not Found\nContent-Type: text/plain\n\nnope");
            assertThat(response.status()).isEqualTo(404);
            assertThat(text(response)).isEqualTo("nope");
            assertThat(header(response, "status")).isNull();
        }

        @Test
        void statusAloneIsASufficientResponse() throws Exception {
            GuestResponse response = raw("Status: 204\n\n");
            assertThat(response.status()).isEqualTo(204);
            assertThat(response.body()).isEmpty();
        }

        @ParameterizedTest
        @CsvSource({"abc", "20", "1000 Too Big", "099 Low", "4O4 Not Found", "100 Continue", "103 Early Hints", "199 Odd", "600 High"})
        void unparseableOrNonFinalStatusIsBadGateway(String status) throws Exception {
            GuestResponse response = raw("Status: " + status + "\nContent-Type: text/plain\n\nbody");
            assertThat(response.status()).isEqualTo(502);
        }

        @Test
        void locationWithoutStatusRedirectsWith302() throws Exception {
            GuestResponse response = raw("Location: https://example.com/next\n\n");
            assertThat(response.status()).isEqualTo(302);
            assertThat(header(response, "location")).isEqualTo("https://example.com/next");
        }

        @Test
        void explicitStatusWinsOverLocationWhicheverComesFirst() throws Exception {
            assertThat(raw("Location: /a\nStatus: 301 Moved Permanently\n\n").status()).isEqualTo(301);
            assertThat(raw("Status: 307\nLocation: /a\n\n").status()).isEqualTo(307);
        }

        @Test
        void noContentTypeStatusOrLocationIs500WithSpinsMessage() throws Exception {
            GuestResponse response = raw("X-Only: header\n\nbody");
            assertThat(response.status()).isEqualTo(500);
            assertThat(text(response)).isEqualTo("Exactly one of 'location' or 'content-type' must be specified");
            assertThat(response.headers()).isEmpty();
        }

        @Test
        void outputWithoutABlankLineHasNoHeadersSoIs500() throws Exception {
            GuestResponse response = raw("Content-Type: text/plain\nno blank line follows");
            assertThat(response.status()).isEqualTo(500);
            assertThat(text(response)).isEqualTo("Exactly one of 'location' or 'content-type' must be specified");
        }

        @Test
        void defaultStatusIs200AndHeaderNamesAreCaseInsensitive() throws Exception {
            GuestResponse response = raw("content-TYPE: application/json\n\n{}");
            assertThat(response.status()).isEqualTo(200);
            assertThat(header(response, "Content-Type")).isEqualTo("application/json");
        }

        @Test
        void repeatedHeaderKeepsTheLastValueAndMalformedLinesAreIgnored() throws Exception {
            GuestResponse response = raw("Content-Type: text/plain\nX-A: 1\nnot a header line\nBad Name: x\n"
                    + "X-A:   2  \n\nok");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers().stream().filter(h -> h.getKey().equalsIgnoreCase("x-a")).toList())
                    .containsExactly(Map.entry("x-a", "2"));
            assertThat(response.headers()).noneMatch(h -> h.getKey().contains(" "));
        }

        @Test
        void aHeaderValueWithControlCharactersIs500AsInSpin() {
            assertThatThrownBy(() -> raw("Content-Type: text/plain\nX-Bad: a\u0001b\n\nbody"))
                    .isInstanceOfSatisfying(GuestException.class, e -> assertThat(e.status()).isEqualTo(500));
        }

        @Test
        void headerBlockThatIsNotUtf8Is500() {
            byte[] out = {'C', 'o', 'n', 't', 'e', 'n', 't', '-', 'T', 'y', 'p', 'e', ':', ' ', (byte) 0xff, '\n', '\n'};
            assertThatThrownBy(() -> run(Req.get("/raw").mode("raw").body(out)))
                    .isInstanceOfSatisfying(GuestException.class, e -> assertThat(e.status()).isEqualTo(500));
        }

        @Test
        void emptyStdoutIs500() {
            assertThatThrownBy(() -> run(Req.get("/").mode("empty")))
                    .isInstanceOfSatisfying(GuestException.class, e -> {
                        assertThat(e.status()).isEqualTo(500);
                        assertThat(e.getMessage()).contains("wrote nothing to stdout");
                    });
        }

        @Test
        void nonZeroExitIs500EvenAfterAValidResponse() {
            assertThatThrownBy(() -> run(Req.get("/").mode("exit").header("x-exit", "3")))
                    .isInstanceOfSatisfying(GuestException.class, e -> {
                        assertThat(e.status()).isEqualTo(500);
                        assertThat(e.getMessage()).contains("exited with code 3");
                    });
        }

        @Test
        void exitZeroIsSuccess() throws Exception {
            GuestResponse response = run(Req.get("/").mode("exit").header("x-exit", "0"));
            assertThat(response.status()).isEqualTo(200);
            assertThat(text(response)).isEqualTo("about to exit\n");
        }

        @Test
        void unknownModeShowsTheGuestCanAnswer400() throws Exception {
            assertThat(run(Req.get("/").mode("nonsense")).status()).isEqualTo(400);
        }
    }

    @Nested
    class Limits {
        @Test
        void aBodyUpToTheLimitIsServedAndOneByteMoreIsRefused() throws Exception {
            try (WagiHandler small = WagiGuests.cgi(Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"), Map.of(),
                    WagiGuests.limits(Duration.ofSeconds(10), 64 * 1024), (c, s, l) -> { }, watchdog, stateDir)) {
                GuestResponse response = small.handle(Req.get("/").mode("flood")
                        .header("x-bytes", Integer.toString(64 * 1024)).build());
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).hasSize(64 * 1024);
                assertThatThrownBy(() -> small.handle(Req.get("/").mode("flood")
                        .header("x-bytes", Integer.toString(64 * 1024 + 1)).build()))
                        .isInstanceOfSatisfying(GuestException.class, e ->
                                assertThat(e.reason()).isEqualTo(GuestException.Reason.RESPONSE_TOO_LARGE));
            }
        }

        @Test
        void stdoutPastTheLimitIsRefusedWithoutBufferingIt() throws Exception {
            try (WagiHandler small = WagiGuests.cgi(Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"), Map.of(),
                    WagiGuests.limits(Duration.ofSeconds(30), 64 * 1024), (c, s, l) -> { }, watchdog, stateDir)) {
                // 4 GiB would take minutes and exhaust the heap if it were collected
                assertThatThrownBy(() -> small.handle(Req.get("/").mode("flood")
                        .header("x-bytes", Long.toString(4L << 30)).build()))
                        .isInstanceOfSatisfying(GuestException.class, e -> {
                            assertThat(e.reason()).isEqualTo(GuestException.Reason.RESPONSE_TOO_LARGE);
                            assertThat(e.status()).isEqualTo(500);
                        });
                assertThat(small.handle(Req.get("/ok").mode("env").build()).status()).isEqualTo(200);
            }
        }

        @Test
        void deadlineInterruptsARunawayGuestAndTheThreadServesAgain() throws Exception {
            try (WagiHandler slow = WagiGuests.cgi(Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"), Map.of(),
                    WagiGuests.limits(Duration.ofMillis(300), 1 << 20), (c, s, l) -> { }, watchdog, stateDir)) {
                assertThatThrownBy(() -> slow.handle(Req.get("/").mode("loop").build()))
                        .isInstanceOfSatisfying(GuestException.class, e -> {
                            assertThat(e.reason()).isEqualTo(GuestException.Reason.DEADLINE);
                            assertThat(e.status()).isEqualTo(504);
                        });
                assertThat(Thread.currentThread().isInterrupted()).isFalse();
                assertThat(slow.handle(Req.get("/again").mode("env").build()).status()).isEqualTo(200);
            }
        }

        @Test
        void memoryIsCappedPerInstance() throws Exception {
            GuestLimits eightMiB = new GuestLimits(8L << 20, Duration.ofSeconds(10), 1 << 20, 1 << 20, 1);
            try (WagiHandler capped = WagiGuests.cgi(Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"), Map.of(),
                    eightMiB, (c, s, l) -> { }, watchdog, stateDir)) {
                GuestResponse first = capped.handle(Req.get("/").mode("hog").build());
                GuestResponse second = capped.handle(Req.get("/").mode("hog").build());
                int blocks = Integer.parseInt(text(first).trim().substring("blocks=".length()));
                assertThat(blocks).isBetween(1, 7);
                assertThat(text(second)).isEqualTo(text(first)); // a fresh instance gets the whole budget again
            }
        }

        @Test
        void stderrLinesGoToTheOutputSink() throws Exception {
            stderr.clear();
            GuestResponse response = run(Req.get("/").mode("stderr"));
            assertThat(text(response)).isEqualTo("logged\n");
            assertThat(stderr).containsExactly("cgi/stderr: first complaint", "cgi/stderr: second complaint");
        }

        @Test
        void concurrentRequestsEachGetTheirOwnInstance() throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    String query = "n=" + i;
                    results.add(pool.submit(() -> variables(handler.handle(Req.get("/c?" + query).mode("env")
                            .build())).get("QUERY_STRING")));
                }
                for (int i = 0; i < results.size(); i++) {
                    assertThat(results.get(i).get()).isEqualTo("n=" + i);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
