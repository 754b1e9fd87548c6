package dev.edge.wasm;

import java.util.List;
import java.util.Map;

/** A guest's HTTP response. Header names keep the guest's spelling; repeats allowed. */
public record GuestResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    public GuestResponse {
        headers = List.copyOf(headers);
    }

    /**
     * The gateway cannot run the guest now (every execution slot and queue place taken, or the guest memory
     * budget used up): 503 with {@code Retry-After: 1}, empty body. The guest never ran, so a retry is safe.
     */
    public static GuestResponse overloaded() {
        return new GuestResponse(503, List.of(Map.entry("retry-after", "1")), new byte[0]);
    }

    /**
     * A key-value call of the request was refused by the application's rate limit: 429, empty body,
     * {@code retry-after} in whole seconds rounded up (at least 1, as HTTP has no fractions). Core modules and
     * components answer it alike, whatever the guest answered.
     */
    public static GuestResponse rateLimited(java.time.Duration retryAfter) {
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return new GuestResponse(429, List.of(Map.entry("retry-after", Long.toString(seconds))), new byte[0]);
    }

    /**
     * True for the statuses a guest may answer with: a final status, 200..599. A 1xx is an interim response that
     * would leave the client waiting for another on the same connection; anything else is not an HTTP status.
     */
    public static boolean isFinalStatus(long status) {
        return status >= 200 && status <= 599;
    }

    /** Spin's answer when a component fails: the status with an empty body. */
    public static GuestResponse empty(int status) {
        return new GuestResponse(status, List.of(), new byte[0]);
    }
}
