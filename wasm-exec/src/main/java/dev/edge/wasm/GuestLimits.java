package dev.edge.wasm;

import java.time.Duration;

/**
 * Per-component resource limits. Defaults follow Fermyon Wasm Functions: 128 MiB guest memory,
 * 30 s per request, 10 MiB request and response bodies.
 *
 * @param maxMemoryBytes   linear memory cap for every instance; {@code memory.grow} past it fails
 * @param requestDeadline  wall-clock budget for one request; the guest is interrupted after it
 * @param maxRequestBody   larger bodies are refused with 413 before any guest runs
 * @param maxResponseBody  larger guest output is refused
 * @param maxPooledInstances idle instances kept per component
 */
public record GuestLimits(
        long maxMemoryBytes,
        Duration requestDeadline,
        long maxRequestBody,
        long maxResponseBody,
        int maxPooledInstances) {

    public static GuestLimits defaults() {
        return new GuestLimits(128L << 20, Duration.ofSeconds(30), 10L << 20, 10L << 20, defaultPoolSize());
    }

    /**
     * One idle instance per Undertow worker thread (Undertow's default: 8 per IO thread, and
     * max(cores, 2) IO threads). A smaller pool makes a busy gateway instantiate and discard instances
     * on every request past the pool size: ~120 µs each instead of a few µs.
     */
    static int defaultPoolSize() {
        return Math.max(Runtime.getRuntime().availableProcessors(), 2) * 8;
    }
}
