package dev.edge.routes;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request as the ingress received it, before routing. Header names are lowercase and keep
 * their repeats; the body is complete and already within the size limit.
 *
 * @param method   upper-case method
 * @param target   scheme, host, raw path, raw query and client address
 * @param protocol e.g. {@code HTTP/1.1}
 * @param headers  (name, value) pairs as received, names lowercase
 * @param body     the whole request body
 */
public record IngressRequest(
        String method,
        RequestTarget target,
        String protocol,
        List<Map.Entry<String, String>> headers,
        byte[] body) {

    /** Path and query exactly as received, e.g. {@code /get/rs?x=1}. */
    public String uri() {
        return target.query().isEmpty() ? target.path() : target.path() + '?' + target.query();
    }
}
