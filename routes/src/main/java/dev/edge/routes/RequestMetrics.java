package dev.edge.routes;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per-target request timers ({@code edge.http.requests}, tags {@code target} and {@code status}). The
 * timer's count doubles as the request counter. Timers are cached by target, then indexed by status, so the hot
 * path does one map lookup on a String whose hash is already known and builds no key.
 */
public final class RequestMetrics {
    public static final String METER_NAME = "edge.http.requests";
    /** Statuses below this are indexed; any other goes to the registry, which returns the same timer. */
    private static final int INDEXED_STATUSES = 600;

    private final MeterRegistry registry;
    private final ConcurrentMap<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param target component id, or a fixed label such as {@code static}, {@code well-known}, {@code no-route}
     */
    public void record(String target, int status, long elapsedNanos) {
        timer(target, status).record(elapsedNanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String target, int status) {
        if (status < 0 || status >= INDEXED_STATUSES) {
            return register(target, status);
        }
        AtomicReferenceArray<Timer> byStatus = timers.get(target);
        if (byStatus == null) {
            byStatus = timers.computeIfAbsent(target, t -> new AtomicReferenceArray<>(INDEXED_STATUSES));
        }
        Timer timer = byStatus.get(status);
        if (timer == null) {
            timer = register(target, status); // a racing thread registers the same meter: the registry dedupes
            byStatus.set(status, timer);
        }
        return timer;
    }

    private Timer register(String target, int status) {
        return Timer.builder(METER_NAME)
                .description("HTTP requests served, by component and status")
                .tag("target", target)
                .tag("status", Integer.toString(status))
                // Prometheus buckets (_bucket{le=...}) so histogram_quantile works across nodes;
                // bounded to the range a request can take (up to the 30 s guest deadline).
                .publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofMillis(1))
                .maximumExpectedValue(java.time.Duration.ofSeconds(30))
                .register(registry);
    }
}
