package dev.edge.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The one check for a reverse-proxy upstream URL, shared by {@code --proxy}, {@code default_upstream} and
 * kv-route values: {@code http(s)://host[:port][/base]}. User info, a query or a fragment are refused rather
 * than silently dropped (the proxy appends the request's own path and query to the base).
 */
public final class UpstreamUrl {
    private UpstreamUrl() {}

    /** @throws IllegalArgumentException with a one-line reason that never shows user info */
    public static URI parse(String text) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + shorten(KvStoreConfig.Redis.redact(text)) + "' is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + shown(uri) + "' must be an http(s) URL with a host, e.g. \"http://127.0.0.1:9000\"");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + shown(uri) + "' must not have user info, a query or a fragment");
        }
        return uri;
    }

    private static String shown(URI uri) {
        return shorten(KvStoreConfig.Redis.redact(uri));
    }

    private static String shorten(String text) {
        String clean = text.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() <= 100 ? clean : clean.substring(0, 100) + "...";
    }
}
