package dev.edge.routes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * One upstream's meters (tag {@code upstream}: the pool's name, or the URL of a URL upstream), and its targets'
 * (tag {@code target}: the target's base URL). Meters are made once per pool or target and kept, so a request
 * does map lookups at most.
 */
final class UpstreamMetrics {
    static final String TRIES = "edge.upstream.requests";
    static final String RETRIES = "edge.upstream.retries";
    static final String REJECTED = "edge.upstream.rejected";
    static final String EJECTIONS = "edge.upstream.ejections";
    static final String TARGET_UP = "edge.upstream.target.up";
    static final String OPEN_CONNECTIONS = "edge.upstream.connections.open";
    static final String CIRCUIT_STATE = "edge.upstream.circuit.state";

    private final MeterRegistry registry;
    private final String upstream;
    private final Counter retries;
    private final Counter noTarget;
    private final Counter circuitOpen;

    UpstreamMetrics(MeterRegistry registry, String upstream) {
        this.registry = registry;
        this.upstream = upstream;
        this.retries = Counter.builder(RETRIES).description("Tries sent again after a failed one")
                .tag("upstream", upstream).register(registry);
        this.noTarget = rejected("no_target");
        this.circuitOpen = rejected("circuit_open");
    }

    private Counter rejected(String reason) {
        return Counter.builder(REJECTED).description("Requests answered 503 without trying the upstream")
                .tag("upstream", upstream).tag("reason", reason).register(registry);
    }

    static String statusClass(int status) {
        return (status / 100) + "xx";
    }

    void retried() {
        retries.increment();
    }

    void noTarget() {
        noTarget.increment();
    }

    void circuitOpen() {
        circuitOpen.increment();
    }

    /** The breaker's state: 0 closed, 1 open, 2 half open. */
    void circuitState(Supplier<Integer> state) {
        Gauge.builder(CIRCUIT_STATE, state, s -> s.get()).description("The pool's circuit breaker: 0 closed, 1 open, 2 half open")
                .tag("upstream", upstream).register(registry);
    }

    <T> Target target(String target, T state, ToDoubleFunction<T> up, ToDoubleFunction<T> openConnections) {
        Gauge.builder(TARGET_UP, state, up).description("1 while the target is in rotation, 0 while it is out")
                .tag("upstream", upstream).tag("target", target).register(registry);
        Gauge.builder(OPEN_CONNECTIONS, state, openConnections).description("Open connections to the target")
                .tag("upstream", upstream).tag("target", target).register(registry);
        return new Target(target);
    }

    /** One target's tries and ejections. */
    final class Target {
        private final String target;
        private final ConcurrentMap<String, Timer> tries = new ConcurrentHashMap<>();
        private final Counter passive;
        private final Counter active;

        private Target(String target) {
            this.target = target;
            this.passive = ejections("passive");
            this.active = ejections("active");
        }

        private Counter ejections(String cause) {
            return Counter.builder(EJECTIONS).description("Times the target was taken out of rotation")
                    .tag("upstream", upstream).tag("target", target).tag("cause", cause).register(registry);
        }

        /** @param outcome a status class ({@code 2xx} ...) or a failure ({@code connect-failure}, {@code timeout}, {@code reset}) */
        void tried(String outcome, long elapsedNanos) {
            Timer timer = tries.get(outcome);
            if (timer == null) {
                timer = tries.computeIfAbsent(outcome, o -> Timer.builder(TRIES)
                        .description("Tries sent to the target, by outcome, timed to the response head")
                        .tag("upstream", upstream).tag("target", target).tag("outcome", o)
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofSeconds(30))
                        .register(registry));
            }
            timer.record(elapsedNanos, TimeUnit.NANOSECONDS);
        }

        void ejectedPassively() {
            passive.increment();
        }

        void ejectedActively() {
            active.increment();
        }
    }
}
