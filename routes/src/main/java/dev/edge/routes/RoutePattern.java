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

    /** A raw request path split once for every pattern: "/a/b" -> ["a", "b"]; "/a/" -> ["a", ""]; "/" -> [""]. */
    static String[] split(String path) {
        return path.length() > 1 ? path.substring(1).split("/", -1) : new String[] {""};
    }

    /** Matches a raw request path (no query); see {@link #match(String, String[])}. */
    PathMatch match(String path) {
        return match(path, split(path));
    }

    /**
     * Matches a raw request path (no query) already {@link #split split} into {@code parts}. Returns null
     * when it does not match; otherwise the path parameters in route order and the wildcard remainder.
     */
    PathMatch match(String path, String[] parts) {
        int pathSegments = path.equals("/") ? 0 : parts.length;
        if (pathSegments < segments.size() || (!isWildcard() && pathSegments != segments.size())) {
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
        if (isWildcard()) {
            int consumed = 0;
            for (int i = 0; i < segments.size(); i++) {
                consumed += 1 + parts[i].length();
            }
            pathInfo = path.substring(Math.min(consumed, path.length()));
        }
        return new PathMatch(params == null ? Map.of() : params, pathInfo);
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
