package dev.edge.gateway;

import dev.edge.config.ExecutionConfig;
import dev.edge.wasm.GuestAdmission;
import dev.edge.wasm.GuestHandler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the node's {@link GuestAdmission} from {@code [execution]} (or the machine) and puts every component behind it. */
final class GuestAdmissions {
    /** A queued request waits at most this long (or the request timeout, if shorter) before 503. */
    static final Duration MAX_QUEUE_WAIT = Duration.ofSeconds(5);

    private GuestAdmissions() {}

    static GuestAdmission of(ExecutionConfig config, int components, Duration requestTimeout) {
        Duration wait = requestTimeout.compareTo(MAX_QUEUE_WAIT) < 0 ? requestTimeout : MAX_QUEUE_WAIT;
        GuestAdmission.Limits machine = GuestAdmission.Limits.forMachine(Runtime.getRuntime().availableProcessors(),
                components, wait);
        int concurrent = config.maxConcurrentGuests().orElse(machine.maxConcurrent());
        return new GuestAdmission(new GuestAdmission.Limits(concurrent,
                config.maxQueuedGuests().orElse(GuestAdmission.Limits.QUEUED_PER_SLOT * concurrent),
                config.maxConcurrentPerComponent().orElse(GuestAdmission.Limits.perComponent(concurrent, components)),
                wait));
    }

    /**
     * Every handler behind {@code admission}; triggers sharing a handler share its admitted one (one bulkhead).
     * Gauges {@code edge.guests.executing}, {@code edge.guests.waiting} and the limits, the count of requests
     * rejected, and each handler's failures by reason ({@link NodeMeters#failuresCounted}).
     */
    static <K> Map<K, GuestHandler> admit(GuestAdmission admission, Map<K, GuestHandler> handlers,
                                          MeterRegistry registry) {
        Gauge.builder("edge.guests.executing", admission, GuestAdmission::executing)
                .description("guests executing now").register(registry);
        Gauge.builder("edge.guests.waiting", admission, GuestAdmission::waiting)
                .description("requests waiting for a guest slot").register(registry);
        Gauge.builder("edge.guests.limit", admission, a -> a.limits().maxConcurrent())
                .description("guests that may execute at once (max_concurrent_guests)").register(registry);
        Gauge.builder("edge.guests.queue.limit", admission, a -> a.limits().maxQueued())
                .description("requests that may wait for a guest slot (max_queued_guests)").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("edge.guests.rejected", admission, GuestAdmission::rejected)
                .description("requests answered 503 because no guest slot came free in time").register(registry);
        Map<GuestHandler, GuestHandler> admittedByHandler = new java.util.IdentityHashMap<>();
        Map<K, GuestHandler> admitted = new LinkedHashMap<>();
        handlers.forEach((key, handler) -> admitted.put(key, admittedByHandler.computeIfAbsent(handler,
                h -> NodeMeters.failuresCounted(admission.admit(h), registry))));
        return admitted;
    }
}
