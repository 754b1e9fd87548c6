package dev.edge.routes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Spin route, parsed: exact ({@code /cart}), parameterised ({@code /get/:key}) or trailing wildcard
 * ({@code /static/...}, {@code /...}). A trailing {@code /} on the route is stripped.
 */
final class RoutePattern {
    static final String WILDCARD_SUFFIX = "/...";

    enum Kind {
        // Declaration order is precedence order: exact beats parameter beats wildcard.
        EXACT, PARAMETER, WILDCARD
    }

    private final String raw;
    private final String normalized;
    private final Kind kind;
    /** Segments before any {@code /...}; a parameter segment is stored as {@code :name}. */
    private final List<String> segments;

    private RoutePattern(String raw, String normalized, Kind kind, List<String> segments) {
        this.raw = raw;
        this.normalized = normalized;
        this.kind = kind;
        this.segments = segments;
    }

    static RoutePattern parse(String raw) {
        String route = raw.startsWith("/") ? raw : "/" + raw;
        while (route.length() > 1 && route.endsWith("/")) {
            route = route.substring(0, route.length() - 1);
        }
        boolean wildcard = route.equals("/...") || route.endsWith(WILDCARD_SUFFIX);
        String prefix = wildcard ? route.substring(0, route.length() - WILDCARD_SUFFIX.length()) : route;
        List<String> segments = new ArrayList<>();
        for (String segment : prefix.split("/", -1)) {
            if (!segment.isEmpty()) {
                segments.add(segment);
            }
        }
        boolean hasParameter = segments.stream().anyMatch(s -> s.startsWith(":"));
        Kind kind = wildcard ? Kind.WILDCARD : hasParameter ? Kind.PARAMETER : Kind.EXACT;
        return new RoutePattern(raw, route, kind, Collections.unmodifiableList(segments));
    }

    /** The route as written in the manifest. */
    String raw() { return raw; }

    /** The route with a trailing {@code /} stripped, e.g. {@code /static/...}. */
    String normalized() { return normalized; }

    /** The route as written without a trailing {@code /...}; empty for the catch-all, as Spin reports it. */
    String componentRoute() {
        return raw.endsWith(WILDCARD_SUFFIX) ? raw.substring(0, raw.length() - WILDCARD_SUFFIX.length()) : raw;
    }

    Kind kind() { return kind; }

    boolean isWildcard() { return kind == Kind.WILDCARD; }

    int prefixLength() { return segments.size(); }

    /** Two routes that match exactly the same paths (parameter names aside) are duplicates. */
    String duplicateKey() {
        StringBuilder key = new StringBuilder();
        for (String segment : segments) {
            key.append('/').append(segment.startsWith(":") ? ":" : segment);
        }
        return key.append(isWildcard() ? WILDCARD_SUFFIX : "").toString();
    }

    /**
     * Matches a raw request path (no query): null when it does not match, otherwise the path parameters in route
     * order and the wildcard remainder. The path's segments are the parts between the {@code /}s after its first
     * character ("/a/b": "a", "b"; "/a/": "a", ""; "/": none); they are compared in place, not split out (this runs
     * for every pattern on every request).
     */
    PathMatch match(String path) {
        int pathSegments = path.equals("/") ? 0 : 1 + count(path, '/', 1);
        if (pathSegments < segments.size() || (!isWildcard() && pathSegments != segments.size())) {
            return null;
        }
        Map<String, String> params = null;
        int start = Math.min(1, path.length());
        int consumed = 0; // up to the end of the last segment matched
        for (int i = 0; i < segments.size(); i++) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            String expected = segments.get(i);
            if (expected.startsWith(":")) {
                if (end == start) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>();
                }
                params.put(expected.substring(1), path.substring(start, end));
            } else if (expected.length() != end - start || !path.startsWith(expected, start)) {
                return null;
            }
            consumed = end;
            start = end + 1;
        }
        String pathInfo = isWildcard() ? path.substring(consumed) : "";
        return new PathMatch(params == null ? Map.of() : params, pathInfo);
    }

    private static int count(String text, char c, int from) {
        int n = 0;
        for (int i = text.indexOf(c, from); i >= 0; i = text.indexOf(c, i + 1)) {
            n++;
        }
        return n;
    }

    /**
     * Precedence between two routes that both match: exact, then parameter, then wildcard; then the
     * longer prefix; then literal segments before parameter segments, left to right. Negative means
     * {@code this} wins.
     */
    int compareSpecificity(RoutePattern other) {
        int byKind = kind.compareTo(other.kind);
        if (byKind != 0) {
            return byKind;
        }
        int byLength = Integer.compare(other.segments.size(), segments.size());
        if (byLength != 0) {
            return byLength;
        }
        for (int i = 0; i < segments.size(); i++) {
            boolean mineLiteral = !segments.get(i).startsWith(":");
            boolean theirsLiteral = !other.segments.get(i).startsWith(":");
            if (mineLiteral != theirsLiteral) {
                return mineLiteral ? -1 : 1;
            }
        }
        return 0;
    }

    @Override
    public String toString() { return raw; }

    record PathMatch(Map<String, String> params, String pathInfo) {}
}
