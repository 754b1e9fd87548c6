package dev.edge.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One entry of a kv route's {@code allowed_upstreams} / {@code allowed_redirects}: an origin
 * ({@code scheme://host[:port]}) a value read from the store may point at. Matching is structural, on the
 * parsed URL, never a glob over the text: {@code http://127.0.0.1:*} does not match
 * {@code http://127.0.0.1:80@evil.example} (whose host is {@code evil.example}).
 *
 * <ul>
 *   <li>scheme: {@code http} or {@code https}, exactly;</li>
 *   <li>host: a name or IP literal (IPv6 in brackets), case-insensitive; or {@code *.example.com}, any
 *       subdomain (at any depth) of {@code example.com} but not {@code example.com} itself. A bare
 *       {@code *} is refused: it would make the gateway an open proxy;</li>
 *   <li>port: a number, {@code *} for any port, or absent for the scheme's default (80, 443).</li>
 * </ul>
 *
 * @param scheme     {@code http} or {@code https}
 * @param host       lowercase host, without the {@code *.} of a wildcard
 * @param subdomains true for {@code *.host}
 * @param port       the port, or -1 for any
 */
public record OriginPattern(String scheme, String host, boolean subdomains, int port) {
    public static final int ANY_PORT = -1;

    /** Parses a pattern; {@link IllegalArgumentException} with a stand-alone reason if it is not one. */
    public static OriginPattern parse(String text) {
        String trimmed = text.trim();
        int sep = trimmed.indexOf("://");
        if (sep < 0) {
            throw new IllegalArgumentException("'" + text + "' is not an origin pattern (expected scheme://host[:port], e.g. \"http://10.0.0.5:*\")");
        }
        String scheme = trimmed.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("'" + text + "': scheme must be http or https");
        }
        String rest = trimmed.substring(sep + 3);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.contains("/") || rest.contains("?") || rest.contains("#")) {
            throw new IllegalArgumentException("'" + text + "': only scheme://host[:port] is allowed (no path, query or fragment)");
        }
        if (rest.contains("@")) {
            throw new IllegalArgumentException("'" + text + "': user info is not allowed");
        }
        int port = defaultPort(scheme);
        String hostPart = rest;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && colon > rest.lastIndexOf(']')) {
            hostPart = rest.substring(0, colon);
            String portText = rest.substring(colon + 1);
            if (portText.equals("*")) {
                port = ANY_PORT;
            } else {
                port = parsePort(portText, text);
            }
        }
        boolean subdomains = false;
        if (hostPart.startsWith("*.")) {
            subdomains = true;
            hostPart = hostPart.substring(2);
        }
        if (hostPart.isEmpty() || hostPart.equals("*")) {
            throw new IllegalArgumentException("'" + text + "': a host is required; '*' alone would allow any host (an open proxy)");
        }
        if (hostPart.contains("*")) {
            throw new IllegalArgumentException("'" + text + "': '*' is only allowed as a leading '*.' label or as the port");
        }
        String host;
        try {
            host = new URI(scheme, null, hostPart, 1, null, null, null).getHost();
        } catch (URISyntaxException e) {
            host = null;
        }
        if (host == null || !host.equalsIgnoreCase(hostPart)) {
            throw new IllegalArgumentException("'" + text + "': '" + hostPart + "' is not a valid host name or IP literal");
        }
        return new OriginPattern(scheme, normalizeHost(host), subdomains, port);
    }

    /** True if {@code url}'s scheme, host and port are allowed by this pattern. */
    public boolean matches(URI url) {
        if (url.getScheme() == null || url.getHost() == null || !scheme.equalsIgnoreCase(url.getScheme())) {
            return false;
        }
        int urlPort = url.getPort() < 0 ? defaultPort(scheme) : url.getPort();
        if (port != ANY_PORT && port != urlPort) {
            return false;
        }
        String urlHost = normalizeHost(url.getHost());
        return subdomains ? urlHost.endsWith("." + host) : urlHost.equals(host);
    }

    /** True if any pattern allows {@code url}. */
    public static boolean anyMatches(Iterable<OriginPattern> patterns, URI url) {
        for (OriginPattern pattern : patterns) {
            if (pattern.matches(url)) {
                return true;
            }
        }
        return false;
    }

    static int defaultPort(String scheme) {
        return scheme.equalsIgnoreCase("https") ? 443 : 80;
    }

    /** Lowercase, without a trailing dot ({@code Example.COM.} and {@code example.com} are one host). */
    static String normalizeHost(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static int parsePort(String portText, String text) {
        if (!portText.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("'" + text + "': port must be a number or '*'");
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port must be between 1 and 65535");
        }
        return port;
    }

    @Override
    public String toString() {
        return scheme + "://" + (subdomains ? "*." : "") + host + (port == ANY_PORT ? ":*" : ":" + port);
    }
}
