package dev.edge.routes;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Per-target request timers ({@code edge.http.requests}, tags {@code target} and {@code status}). The
 * timer's count doubles as the request counter. Timers are cached so the hot path does one map lookup.
 */
public final class RequestMetrics {
    public static final String METER_NAME = "edge.http.requests";

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param target component id, or a fixed label such as {@code static}, {@code well-known}, {@code no-route}
     */
    public void record(String target, int status, long elapsedNanos) {
        String key = target + '\u0000' + status;
        Timer timer = timers.get(key);
        if (timer == null) {
            timer = timers.computeIfAbsent(key, k -> Timer.builder(METER_NAME)
                    .description("HTTP requests served, by component and status")
                    .tag("target", target)
                    .tag("status", Integer.toString(status))
                    // Prometheus buckets (_bucket{le=...}) so histogram_quantile works across nodes;
                    // bounded to the range a request can take (up to the 30 s guest deadline).
                    .publishPercentileHistogram()
                    .minimumExpectedValue(java.time.Duration.ofMillis(1))
                    .maximumExpectedValue(java.time.Duration.ofSeconds(30))
                    .register(registry));
        }
        timer.record(elapsedNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
