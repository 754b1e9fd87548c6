package dev.edge.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutePatternTest {
    private static final List<String> ROUTES = List.of("/", "/...", "/a", "/a/...", "/a/b", "/a/:x", "/:x/b", "/:x/:y/...",
            "/a/b/...", "/:x", "/b/a/c", "/a//...", "/:x/...");

    @Test
    void answersAsSplittingThePathDid() {
        Random random = new Random(11);
        String[] pieces = {"a", "b", "c", "", "/", "//", "ab", "%2e"};
        for (int n = 0; n < 200_000; n++) {
            StringBuilder path = new StringBuilder(random.nextInt(8) == 0 ? "" : "/");
            for (int i = random.nextInt(6); i > 0; i--) {
                path.append(pieces[random.nextInt(pieces.length)]);
                if (random.nextBoolean()) {
                    path.append('/');
                }
            }
            for (String route : ROUTES) {
                RoutePattern pattern = RoutePattern.parse(route);
                assertEquals(bySplitting(pattern, path.toString()), pattern.match(path.toString()), route + " on " + path);
            }
        }
    }

    /** The matching before it compared in place: the path split into its segments first. */
    private static RoutePattern.PathMatch bySplitting(RoutePattern pattern, String path) {
        String[] parts = path.length() > 1 ? path.substring(1).split("/", -1) : new String[] {""};
        List<String> segments = segments(pattern);
        int pathSegments = path.equals("/") ? 0 : parts.length;
        if (pathSegments < segments.size() || (!pattern.isWildcard() && pathSegments != segments.size())) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < segments.size(); i++) {
            String expected = segments.get(i);
            String actual = parts[i];
            if (expected.startsWith(":")) {
                if (actual.isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>();
                }
                params.put(expected.substring(1), actual);
            } else if (!expected.equals(actual)) {
                return null;
            }
        }
        String pathInfo = "";
        if (pattern.isWildcard()) {
            int consumed = 0;
            for (int i = 0; i < segments.size(); i++) {
                consumed += 1 + parts[i].length();
            }
            pathInfo = path.substring(Math.min(consumed, path.length()));
        }
        return new RoutePattern.PathMatch(params == null ? Map.of() : params, pathInfo);
    }

    private static List<String> segments(RoutePattern pattern) {
        String route = pattern.normalized();
        String prefix = pattern.isWildcard() ? route.substring(0, route.length() - RoutePattern.WILDCARD_SUFFIX.length()) : route;
        return java.util.Arrays.stream(prefix.split("/", -1)).filter(s -> !s.isEmpty()).toList();
    }
}
