package dev.edge.routes;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per-target request timers ({@code edge.http.requests}, tags {@code target} and {@code status}). The
 * timer's count doubles as the request counter. Timers are cached so the hot path does one map lookup (by the
 * target's String, whose hash it keeps) and one array read.
 */
public final class RequestMetrics {
    public static final String METER_NAME = "edge.http.requests";

    /** HTTP status codes are three digits; a timer slot per code, so a request's lookup builds no key. */
    private static final int STATUSES = 1000;

    private final MeterRegistry registry;
    private final ConcurrentMap<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param target component id, or a fixed label such as {@code static}, {@code well-known}, {@code no-route}
     */
    public void record(String target, int status, long elapsedNanos) {
        AtomicReferenceArray<Timer> byStatus = timers.get(target);
        if (byStatus == null) {
            byStatus = timers.computeIfAbsent(target, t -> new AtomicReferenceArray<>(STATUSES));
        }
        int slot = Math.floorMod(status, STATUSES);
        Timer timer = byStatus.get(slot);
        if (timer == null || status != slot) {
            timer = timer(target, status);
            if (status == slot) {
                byStatus.set(slot, timer); // a race registers the same timer twice: Micrometer returns the one it has
            }
        }
        timer.record(elapsedNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private Timer timer(String target, int status) {
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
