package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;

/**
 * The {@code request-options} resource. Durations are nanoseconds (u64). edge applies the first-byte
 * timeout (until the response head arrives); the connect timeout is the shared client's, and between-bytes
 * is kept but not enforced.
 */
public final class RequestOptions {
    final Long[] timeouts = new Long[3]; // connect, first-byte, between-bytes

    Variant get(int which) {
        return timeouts[which] == null ? Variant.none() : Variant.some(timeouts[which]);
    }

    Variant set(int which, Variant duration) {
        timeouts[which] = duration.isSome() ? (Long) duration.payload() : null;
        return Variant.ok(null);
    }
}
