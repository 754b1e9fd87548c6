package dev.edge.routes;

import java.net.URI;

/**
 * One reverse-proxy mapping, from the CLI flag {@code --proxy <route>=<upstream>}, e.g.
 * {@code /api/...=http://127.0.0.1:8080/v1}. The route uses Spin's route syntax; the request's wildcard
 * remainder (and query) is appended to the upstream URL, so {@code /api/users?x=1} goes to
 * {@code http://127.0.0.1:8080/v1/users?x=1}.
 */
public record ProxyRoute(String route, URI upstream) {

    public ProxyRoute {
        String scheme = upstream.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || upstream.getHost() == null) {
            throw new IllegalArgumentException("proxy upstream must be an http(s) URL with a host, got '" + upstream + "'");
        }
        if (!route.startsWith("/")) {
            throw new IllegalArgumentException("proxy route must start with '/', got '" + route + "'");
        }
    }

    /** Parses {@code <route>=<upstream-url>}. */
    public static ProxyRoute parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("--proxy expects <route>=<upstream-url>, got '" + spec + "'");
        }
        try {
            return new ProxyRoute(spec.substring(0, eq).trim(), URI.create(spec.substring(eq + 1).trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--proxy '" + spec + "': " + e.getMessage(), e);
        }
    }
}
