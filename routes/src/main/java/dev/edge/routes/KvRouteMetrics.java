package dev.edge.routes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Meters of one kv route, all tagged {@code route}: {@code edge.kv.route.lookups} (timer, tag
 * {@code outcome} = hit | absent | error; its count is the number of store reads) and
 * {@code edge.kv.route.decisions} (counter, tag {@code action}). Registered up front, so the hot path
 * does no map lookups by string.
 */
final class KvRouteMetrics {
    static final String LOOKUPS = "edge.kv.route.lookups";
    static final String DECISIONS = "edge.kv.route.decisions";

    enum Outcome { HIT, ABSENT, ERROR }

    /** What the route did with the request. */
    enum Action {
        UPSTREAM, REDIRECT, DENY, PASS, DEFAULT, FALLBACK, REFUSED, UNAVAILABLE;

        String tag() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    private final Map<Outcome, Timer> lookups = new EnumMap<>(Outcome.class);
    private final Map<Action, Counter> decisions = new EnumMap<>(Action.class);

    KvRouteMetrics(MeterRegistry registry, String route) {
        for (Outcome outcome : Outcome.values()) {
            lookups.put(outcome, Timer.builder(LOOKUPS)
                    .description("Store reads of KV-aware routing, by route and outcome")
                    .tag("route", route).tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
        for (Action action : Action.values()) {
            decisions.put(action, Counter.builder(DECISIONS)
                    .description("Requests routed by KV-aware routing, by route and action")
                    .tag("route", route).tag("action", action.tag())
                    .register(registry));
        }
    }

    void lookup(Outcome outcome, long elapsedNanos) {
        lookups.get(outcome).record(elapsedNanos, TimeUnit.NANOSECONDS);
    }

    void decision(Action action) {
        decisions.get(action).increment();
    }
}
