package dev.edge.routes;

import dev.edge.config.UpstreamUrl;
import java.net.URI;

/**
 * One reverse-proxy mapping, from the CLI flag {@code --proxy <route>=<upstream>}, e.g.
 * {@code /api/...=http://127.0.0.1:8080/v1}. The route uses Spin's route syntax; the request's wildcard
 * remainder (and query) is appended to the upstream URL, so {@code /api/users?x=1} goes to
 * {@code http://127.0.0.1:8080/v1/users?x=1}. The upstream URL is checked by {@link UpstreamUrl}: no user info,
 * query or fragment. {@code <route>=upstream:<name>} names an {@code [upstream.<name>]} pool instead.
 */
public record ProxyRoute(String route, URI upstream) {

    /** @throws IllegalArgumentException unless the route starts with '/' and {@code upstream} passes {@link UpstreamUrl#parse} */
    public ProxyRoute {
        if (!route.startsWith("/")) {
            throw new IllegalArgumentException("proxy route must start with '/', got '" + route + "'");
        }
        if (StreamingProxy.poolName(upstream).isEmpty()) {
            UpstreamUrl.parse(upstream.toString());
        }
    }

    /** Parses {@code <route>=<upstream-url>}. */
    public static ProxyRoute parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("--proxy expects <route>=<upstream-url>, got '" + spec + "'");
        }
        String route = spec.substring(0, eq).trim();
        if (!route.startsWith("/")) {
            throw new IllegalArgumentException("--proxy '" + route + "=...': route must start with '/'");
        }
        String target = spec.substring(eq + 1).trim();
        if (target.startsWith(StreamingProxy.POOL_SCHEME + ":")) {
            String name = target.substring(StreamingProxy.POOL_SCHEME.length() + 1);
            if (!dev.edge.config.Ids.isKebabOrSnake(name)) {
                throw new IllegalArgumentException("--proxy '" + route + "=...': '" + name + "' is not a pool name");
            }
            return new ProxyRoute(route, StreamingProxy.poolReference(name));
        }
        URI upstream;
        try {
            upstream = UpstreamUrl.parse(target);
        } catch (IllegalArgumentException e) {
            // Not the spec itself: the URL may hold a password (the message shows it redacted).
            throw new IllegalArgumentException("--proxy '" + route + "=...': upstream URL " + e.getMessage(), e);
        }
        return new ProxyRoute(route, upstream);
    }
}
