package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Spin's routing precedence over real HTTP, with exact, parameter, wildcard, private and static-response
 * triggers mixed, declared in an order that would give other answers if order mattered. Components run the
 * routes module's echo guest, which answers with the headers it saw, so the answer names the trigger that
 * matched (its {@code spin-matched-route}); static responses answer their own body; the private component is
 * the hello-world example, whose "Hello, edge!" must never be seen.
 */
class RoutingPrecedenceHttpTest {
    private static final Path ECHO = Path.of("../routes/src/test/resources/guests/echo.wasm").toAbsolutePath();
    private static final Path HELLO = Path.of("../examples/hello-world/target/hello-world.wasm").toAbsolutePath();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path app;

    private static EdgeApp gateway;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        Files.copy(ECHO, app.resolve("echo.wasm"));
        Files.copy(HELLO, app.resolve("hello.wasm"));
        Files.writeString(app.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "precedence"
                version = "1.2.3"

                # catch-all first: declaration order must not matter
                [[trigger.http]]
                route = "/..."
                static_response = { status_code = 200, body = "static catch-all" }

                [[trigger.http]]
                route = "/shop/..."
                component = "wild"

                [[trigger.http]]
                route = "/shop/:item"
                component = "param"

                [[trigger.http]]
                route = "/shop/cart"
                component = "exact"

                [[trigger.http]]
                route = "/shop/cart/..."
                component = "cart-wild"

                [[trigger.http]]
                route = "/shop/:item/reviews/:review_id"
                component = "param2"

                [[trigger.http]]
                route = "/files/..."
                static_response = { status_code = 201, headers = { x-from = "static" }, body = "static files" }

                [[trigger.http]]
                route = "/files/special"
                component = "exact"

                [[trigger.http]]
                route = "/about/"
                static_response = { status_code = 200, body = "about (trailing slash stripped)" }

                [[trigger.http]]
                route = { private = true }
                component = "hidden"

                # duplicate route: the last declaration wins
                [[trigger.http]]
                route = "/dup"
                static_response = { status_code = 200, body = "first dup" }

                [[trigger.http]]
                route = "/dup"
                static_response = { status_code = 200, body = "second dup" }

                [component.wild]
                source = "echo.wasm"
                [component.param]
                source = "echo.wasm"
                [component.param2]
                source = "echo.wasm"
                [component.exact]
                source = "echo.wasm"
                [component.cart-wild]
                source = "echo.wasm"
                [component.hidden]
                source = "hello.wasm"
                """);
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        gateway = EdgeApp.start(new EdgeApp.Settings(app.resolve("spin.toml"), listen, app.resolve(".spin"), null,
                null, List.of()));
        base = listen.baseUrl();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** The answer, as "status who": the matched route of a component, or a static response's body. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /shop/cart                   | 200 component /shop/cart
            /shop/cart?view=full         | 200 component /shop/cart
            /shop/cart/                  | 200 component /shop/cart/...
            /shop/cart/items/7           | 200 component /shop/cart/...
            /shop/shoes                  | 200 component /shop/:item
            /shop/shoes/reviews/42       | 200 component /shop/:item/reviews/:review_id
            /shop/shoes/reviews          | 200 component /shop/...
            /shop                        | 200 component /shop/...
            /shop/                       | 200 component /shop/...
            /shopping                    | 200 static catch-all
            /files/special               | 200 component /files/special
            /files/special/not           | 201 static files
            /files                       | 201 static files
            /about                       | 200 about (trailing slash stripped)
            /dup                         | 200 second dup
            /                            | 200 static catch-all
            /anything/else               | 200 static catch-all
            /.well-known/spin/health     | 200 OK
            /.well-known/spin/other      | 404
            """)
    void theMostSpecificRouteAnswers(String path, String expected) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat((response.statusCode() + " " + who(response.body())).strip()).isEqualTo(expected);
        assertThat(response.body()).doesNotContain("Hello, edge!");
    }

    @org.junit.jupiter.api.Test
    void parametersAndWildcardRemainderReachTheComponent() throws Exception {
        String body = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/shop/shoes/reviews/42?x=1")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(body).contains("spin-path-match-item: shoes\n", "spin-path-match-review-id: 42\n",
                "spin-path-info: \n", "spin-full-url: " + base + "/shop/shoes/reviews/42?x=1\n");
        String wild = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/shop/cart/items/7")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(wild).contains("spin-path-info: /items/7\n", "spin-component-route: /shop/cart\n",
                "spin-raw-component-route: /shop/cart/...\n");
    }

    @org.junit.jupiter.api.Test
    void theStaticResponseKeepsItsHeadersAndThePrivateComponentIsNotListed() throws Exception {
        HttpResponse<String> files = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/files/a")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(files.headers().firstValue("x-from")).contains("static");
        java.io.ByteArrayOutputStream banner = new java.io.ByteArrayOutputStream();
        gateway.printBanner(new java.io.PrintStream(banner, true, java.nio.charset.StandardCharsets.UTF_8),
                new ListenAddress("127.0.0.1", 3000));
        assertThat(banner.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("  param: http://127.0.0.1:3000/shop/:item\n")
                .doesNotContain("hidden");
    }

    private static final Pattern MATCHED = Pattern.compile("(?m)^spin-matched-route: (.*)$");

    private static String who(String body) {
        Matcher matched = MATCHED.matcher(body);
        return matched.find() ? "component " + matched.group(1) : body;
    }
}
