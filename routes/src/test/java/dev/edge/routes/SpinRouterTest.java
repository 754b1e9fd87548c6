package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpinRouterTest {

    /** One app with every route form; each component id names its route. */
    private static final List<HttpTrigger> TABLE_APP = List.of(
            trigger("/...", "catch-all"),
            trigger("/cart", "cart"),
            trigger("/trailing/", "trailing"),
            trigger("/static/...", "static"),
            trigger("/static/img/...", "static-img"),
            trigger("/static/img/logo.png", "logo"),
            trigger("/get/:key", "get-key"),
            trigger("/get/special", "get-special"),
            trigger("/users/:user_id/posts/:Post_ID", "user-post"),
            trigger("/users/:user_id/...", "user-any"),
            trigger("/:tenant/settings", "tenant-settings"),
            trigger("/admin/:page", "admin-page"),
            trigger("/", "root"),
            privateTrigger("internal"));

    static Stream<Arguments> table() {
        return Stream.of(
                // path, expected component, expected spin-path-info
                Arguments.of("/cart", "cart", ""),
                Arguments.of("/cart/", "catch-all", "/cart/"),       // exact matches only itself
                Arguments.of("/cart/items", "catch-all", "/cart/items"),
                Arguments.of("/cartx", "catch-all", "/cartx"),
                Arguments.of("/trailing", "trailing", ""),           // trailing / on the route is stripped
                Arguments.of("/", "root", ""),                        // exact "/" beats the catch-all
                Arguments.of("/static", "static", ""),               // wildcard matches its own prefix
                Arguments.of("/static/", "static", "/"),
                Arguments.of("/static/css/site.css", "static", "/css/site.css"),
                Arguments.of("/staticfoo", "catch-all", "/staticfoo"), // prefix is per segment
                Arguments.of("/static/img/a.png", "static-img", "/a.png"), // longest wildcard prefix wins
                Arguments.of("/static/img", "static-img", ""),
                Arguments.of("/static/img/logo.png", "logo", ""),   // exact beats wildcard
                Arguments.of("/get/rs", "get-key", ""),
                Arguments.of("/get/special", "get-special", ""),    // exact beats parameter
                Arguments.of("/get/", "catch-all", "/get/"),          // a parameter needs a non-empty segment
                Arguments.of("/get/a/b", "catch-all", "/get/a/b"),    // a parameter is exactly one segment
                Arguments.of("/users/7/posts/9", "user-post", ""),  // parameter beats wildcard
                Arguments.of("/users/7/posts", "user-any", "/posts"),
                Arguments.of("/users/7", "user-any", ""),
                Arguments.of("/admin/settings", "admin-page", ""),  // literal-first beats parameter-first
                Arguments.of("/acme/settings", "tenant-settings", ""),
                Arguments.of("/internal", "catch-all", "/internal"));  // private routes never match
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("table")
    void routesByPrecedence(String path, String component, String pathInfo) {
        // Precedence must not depend on declaration order: try the table forwards and backwards.
        List<HttpTrigger> reversed = new ArrayList<>(TABLE_APP);
        java.util.Collections.reverse(reversed);
        for (List<HttpTrigger> app : List.of(TABLE_APP, reversed)) {
            RouteMatch match = new SpinRouter(app).route(target(path, "")).orElseThrow();
            assertThat(match.trigger().componentId()).contains(component);
            assertThat(match.pathInfo()).isEqualTo(pathInfo);
            assertThat(match.spinHeader("spin-path-info")).isEqualTo(pathInfo);
        }
    }

    @Test
    void queryStringPlaysNoPartInMatching() {
        SpinRouter router = new SpinRouter(List.of(trigger("/cart", "cart")));
        RouteMatch match = router.route(target("/cart", "id=1&x=/...")).orElseThrow();
        assertThat(match.trigger().componentId()).contains("cart");
        assertThat(match.spinHeader("spin-full-url")).isEqualTo("http://example.test:3000/cart?id=1&x=/...");
    }

    @Test
    void noMatchWithoutCatchAll() {
        SpinRouter router = new SpinRouter(List.of(trigger("/cart", "cart"), privateTrigger("hidden")));
        assertThat(router.route(target("/other", ""))).isEmpty();
        assertThat(router.route(target("/", ""))).isEmpty();
        assertThat(router.triggers()).hasSize(1);
    }

    @Test
    void duplicateRouteLastOneWins() {
        SpinRouter router = new SpinRouter(List.of(
                trigger("/dup", "first"), trigger("/dup/", "second"), trigger("/p/:a", "third"), trigger("/p/:b", "fourth")));
        assertThat(router.route(target("/dup", "")).orElseThrow().trigger().componentId()).contains("second");
        RouteMatch param = router.route(target("/p/x", "")).orElseThrow();
        assertThat(param.trigger().componentId()).contains("fourth");
        assertThat(param.pathParams()).containsExactly(Map.entry("b", "x"));
        assertThat(router.triggers()).hasSize(2);
    }

    @Test
    void everySpinHeaderForAWildcardRoute() {
        SpinRouter router = new SpinRouter(List.of(trigger("/static/...", "static")));
        RouteMatch match = router.route(target("/static/a/b%20c", "q=1")).orElseThrow();
        assertThat(match.spinHeaders()).containsExactly(
                Map.entry("spin-full-url", "http://example.test:3000/static/a/b%20c?q=1"),
                Map.entry("spin-path-info", "/a/b%20c"),
                Map.entry("spin-matched-route", "/static/..."),
                Map.entry("spin-base-path", "/"),
                Map.entry("spin-raw-component-route", "/static/..."),
                Map.entry("spin-component-route", "/static"),
                Map.entry("spin-client-addr", "127.0.0.1:54321"));
    }

    @Test
    void catchAllComponentRouteIsEmpty() {
        RouteMatch match = new SpinRouter(List.of(trigger("/...", "app"))).route(target("/set/rs", "")).orElseThrow();
        assertThat(match.spinHeader("spin-component-route")).isEmpty();
        assertThat(match.spinHeader("spin-raw-component-route")).isEqualTo("/...");
        assertThat(match.spinHeader("spin-path-info")).isEqualTo("/set/rs");
    }

    @Test
    void parameterHeadersAreLowercaseKebab() {
        SpinRouter router = new SpinRouter(List.of(trigger("/users/:user_id/posts/:Post_ID", "p")));
        RouteMatch match = router.route(target("/users/7/posts/9", "")).orElseThrow();
        assertThat(match.spinHeader("spin-path-match-user-id")).isEqualTo("7");
        assertThat(match.spinHeader("spin-path-match-post-id")).isEqualTo("9");
        assertThat(match.spinHeader("spin-path-info")).isEmpty();
        assertThat(match.spinHeader("spin-matched-route")).isEqualTo("/users/:user_id/posts/:Post_ID");
        assertThat(match.spinHeaders()).hasSize(9)
                .allSatisfy(h -> assertThat(h.getKey()).startsWith("spin-").isLowerCase());
        assertThat(match.spinHeaders().stream().map(Map.Entry::getKey).distinct()).hasSize(9);
    }

    @Test
    void trailingSlashIsStrippedFromMatchedRouteButNotRawRoute() {
        RouteMatch match = new SpinRouter(List.of(trigger("/cart/", "cart"))).route(target("/cart", "")).orElseThrow();
        assertThat(match.spinHeader("spin-matched-route")).isEqualTo("/cart");
        assertThat(match.spinHeader("spin-raw-component-route")).isEqualTo("/cart/");
    }

    private static RequestTarget target(String path, String query) {
        return new RequestTarget("http", "example.test:3000", path, query, "127.0.0.1:54321");
    }

    static HttpTrigger trigger(String route, String component) {
        return new HttpTrigger(route, false, Optional.of(component), Optional.empty(), Executor.http());
    }

    private static HttpTrigger privateTrigger(String component) {
        return new HttpTrigger("", true, Optional.of(component), Optional.empty(), Executor.http());
    }
}
