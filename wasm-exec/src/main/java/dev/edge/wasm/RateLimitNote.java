package dev.edge.wasm;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Remembers, for one request, that a key-value call was refused by a rate limit and the longest retry-after
 * seen; {@link WasmHttpHandler} then answers 429. Written and read by the one thread running the request.
 */
final class RateLimitNote {
    private Duration retryAfter;

    void note(Duration after) {
        if (retryAfter == null || after.compareTo(retryAfter) > 0) {
            retryAfter = after;
        }
    }

    boolean isSet() {
        return retryAfter != null;
    }

    /** 429, empty body, {@code retry-after} in whole seconds rounded up (at least 1, as HTTP has no fractions). */
    GuestResponse response() {
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return new GuestResponse(429, List.of(Map.entry("retry-after", Long.toString(seconds))), new byte[0]);
    }
}
