package dev.edge.config;

import java.util.Map;

/** {@code static_response = { status_code = 200, headers = {..}, body = ".." }}. */
public record StaticResponse(int statusCode, Map<String, String> headers, String body) {
    public StaticResponse {
        headers = Map.copyOf(headers);
    }
}
