package dev.edge.wasm;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request as a guest sees it. Routing has already happened: {@code headers} include the
 * {@code spin-*} headers (spin-full-url, spin-path-info, spin-matched-route, ...), which the WAGI
 * executor also turns into its {@code X_*} CGI variables.
 *
 * @param method     upper-case method, e.g. {@code GET}
 * @param uri        path and query exactly as received, e.g. {@code /get/rs?x=1}
 * @param headers    header (name, value) pairs in arrival order, names lower-case; repeats allowed
 * @param body       the whole request body (already checked against the size limit)
 * @param clientAddr {@code ip:port} of the client
 * @param protocol   e.g. {@code HTTP/1.1}
 */
public record GuestRequest(
        String method,
        String uri,
        List<Map.Entry<String, String>> headers,
        byte[] body,
        String clientAddr,
        String protocol) {

    public GuestRequest {
        headers = List.copyOf(headers);
    }

    /** First value of a header (case-insensitive), or null. */
    public String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }
}
