package dev.edge.routes;

/**
 * What routing needs to know about an incoming request.
 *
 * @param scheme     {@code http} or {@code https}
 * @param host       the {@code Host} header (authority of {@code spin-full-url})
 * @param path       raw (still percent-encoded) path, e.g. {@code /get/rs}
 * @param query      raw query string without {@code ?}; empty when absent
 * @param clientAddr {@code ip:port} of the client
 */
public record RequestTarget(String scheme, String host, String path, String query, String clientAddr) {

    /** {@code scheme://host/path?query}, as {@code spin-full-url} carries it. */
    public String fullUrl() {
        StringBuilder url = new StringBuilder(scheme.length() + host.length() + path.length() + query.length() + 4)
                .append(scheme).append("://").append(host).append(path);
        if (!query.isEmpty()) {
            url.append('?').append(query);
        }
        return url.toString();
    }
}
