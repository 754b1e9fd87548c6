package dev.edge.config;

import java.time.Duration;

/**
 * Per-component resource limits, {@code [guest_limits]} in the runtime config (an edge extension). The defaults
 * are Fermyon Wasm Functions' published limits: 128 MiB of guest memory, 30 s per request, 10 MiB request and
 * response bodies. Every component of the application gets the same limits.
 *
 * @param maxMemoryBytes  linear memory cap of every instance; {@code memory.grow} past it fails
 * @param requestTimeout  wall-clock budget of one request; past it the guest is interrupted and the client gets 504
 * @param maxRequestBody  larger request bodies are refused with 413 before any guest runs
 * @param maxResponseBody larger guest output ends the request with 500
 */
public record GuestLimitsConfig(long maxMemoryBytes, Duration requestTimeout, long maxRequestBody, long maxResponseBody) {
    public static final long DEFAULT_MAX_MEMORY = 128L << 20;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_REQUEST_BODY = 10L << 20;
    public static final long DEFAULT_MAX_RESPONSE_BODY = 10L << 20;

    public static final GuestLimitsConfig DEFAULTS = new GuestLimitsConfig(DEFAULT_MAX_MEMORY, DEFAULT_REQUEST_TIMEOUT,
            DEFAULT_MAX_REQUEST_BODY, DEFAULT_MAX_RESPONSE_BODY);

    public GuestLimitsConfig {
        if (maxMemoryBytes <= 0 || maxRequestBody < 0 || maxResponseBody <= 0 || requestTimeout == null
                || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("guest limits must be positive");
        }
    }
}
