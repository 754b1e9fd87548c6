package dev.edge.wasm;

import java.time.Duration;

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

    /** {@link GuestResponse#rateLimited}. */
    GuestResponse response() {
        return GuestResponse.rateLimited(retryAfter);
    }
}
