package dev.edge.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A named upstream pool, {@code [upstream.<name>]} of a runtime config: the targets a {@code --proxy} route or a
 * kv-route value {@code upstream:<name>} spreads requests over.
 *
 * @param name     the pool's name
 * @param targets  {@code http(s)://host[:port][/base]}, at least one, each checked by {@link UpstreamUrl}
 * @param balance  how a target is chosen
 * @param hashOn   what {@link Balance#HASH} hashes: {@code header:<name>}, {@code cookie:<name>} or {@code path}
 * @param timeouts connect, overall, per-try and idle limits
 * @param retries  which failed tries are tried again, and how often
 * @param ejection passive health: consecutive failures that take a target out of rotation, and for how long
 * @param health   active health checks, if configured
 * @param circuitBreaker the pool's breaker, if configured
 * @param caFile   PEM certificates trusted for {@code https} targets besides the JDK's trust store
 */
public record UpstreamPoolConfig(String name, List<URI> targets, Balance balance, Optional<String> hashOn,
                                 Timeouts timeouts, Retries retries, Ejection ejection, Optional<Health> health,
                                 Optional<CircuitBreaker> circuitBreaker, Optional<Path> caFile) {
    public enum Balance { ROUND_ROBIN, LEAST_REQUEST, HASH }

    /**
     * @param connect a target must accept the connection (and finish TLS) within this; else it is a connect failure
     * @param request the response head must arrive within this from when the proxy takes the request, across every
     *                try (else 504); a body that has started streaming is not cut by it
     * @param perTry  one try's response head must arrive within this (else that try timed out); empty: only
     *                {@code request} limits it
     * @param idle    an upstream connection that moves no byte for this long is closed
     */
    public record Timeouts(Duration connect, Duration request, Optional<Duration> perTry, Duration idle) {
        public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30),
                Optional.empty(), Duration.ofSeconds(60));
    }

    /** What makes a try count as failed and, if {@link Retries#on} lists it, be tried again. */
    public enum Failure {
        /** No connection (refused, unreachable, TLS failed, {@code connect_timeout}): nothing was sent. */
        CONNECT_FAILURE("connect-failure"),
        /** No response head within the per-try timeout. */
        TIMEOUT("timeout"),
        /** The connection closed or broke before the response head. */
        RESET("reset");

        private final String text;

        Failure(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * @param attempts how many tries may follow the first, at most
     * @param on       the failures retried
     * @param statuses response statuses retried (the response is dropped, the request sent again)
     * @param methods  methods retried once the request may have reached the upstream; a connect failure is retried
     *                 for every method (nothing was sent), anything else only for these and only when the request
     *                 had no body left to send
     */
    public record Retries(int attempts, Set<Failure> on, Set<Integer> statuses, Set<String> methods) {
        /** RFC 9110 §9.2.2. */
        public static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

        public Retries {
            on = Set.copyOf(on);
            statuses = Set.copyOf(statuses);
            methods = Set.copyOf(methods);
        }

        /** Without a {@code retries} table: a connect failure moves on to each other target once, as nginx does. */
        public static Retries defaults(int targets) {
            return new Retries(Math.max(0, targets - 1), Set.of(Failure.CONNECT_FAILURE), Set.of(), IDEMPOTENT);
        }
    }

    /**
     * @param after consecutive failed tries (a failure of {@link Failure}, or a 5xx answer) that eject a target
     * @param forDuration how long an ejected target is skipped; a pool of one target is never ejected (as nginx)
     */
    public record Ejection(int after, Duration forDuration) {
        public static final Ejection DEFAULTS = new Ejection(5, Duration.ofSeconds(10));
    }

    /**
     * Active health checks: every {@code interval}, {@code GET path} on each target's host and port; 2xx or 3xx within
     * {@code timeout} passes. {@code unhealthyAfter} failed checks in a row take a target out of rotation,
     * {@code healthyAfter} passed ones bring it back. A target starts healthy.
     */
    public record Health(String path, Duration interval, Duration timeout, int unhealthyAfter, int healthyAfter) {
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
        public static final int DEFAULT_UNHEALTHY_AFTER = 3;
        public static final int DEFAULT_HEALTHY_AFTER = 2;
    }

    /**
     * A breaker over the pool's answers: when {@code failureRate} percent of the last {@code window} requests failed
     * (a 5xx answer, the proxy's own 502/504 included), the pool answers 503 at once for {@code openFor}; then one
     * trial request decides whether it closes again.
     */
    public record CircuitBreaker(int failureRate, int window, Duration openFor) {}

    public UpstreamPoolConfig {
        targets = List.copyOf(targets);
    }

    /** A pool of {@code targets} with every default (round robin). */
    public static UpstreamPoolConfig of(String name, List<URI> targets) {
        return new UpstreamPoolConfig(name, targets, Balance.ROUND_ROBIN, Optional.empty(), Timeouts.DEFAULTS,
                Retries.defaults(targets.size()), Ejection.DEFAULTS, Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    public UpstreamPoolConfig withBalance(Balance balance, Optional<String> hashOn) {
        return new UpstreamPoolConfig(name, targets, balance, hashOn, timeouts, retries, ejection, health, circuitBreaker, caFile);
    }

    public UpstreamPoolConfig withTimeouts(Timeouts timeouts) {
        return new UpstreamPoolConfig(name, targets, balance, hashOn, timeouts, retries, ejection, health, circuitBreaker, caFile);
    }

    public UpstreamPoolConfig withRetries(Retries retries) {
        return new UpstreamPoolConfig(name, targets, balance, hashOn, timeouts, retries, ejection, health, circuitBreaker, caFile);
    }

    public UpstreamPoolConfig withHealth(Health health) {
        return new UpstreamPoolConfig(name, targets, balance, hashOn, timeouts, retries, ejection, Optional.of(health),
                circuitBreaker, caFile);
    }

    public UpstreamPoolConfig withCircuitBreaker(CircuitBreaker breaker) {
        return new UpstreamPoolConfig(name, targets, balance, hashOn, timeouts, retries, ejection, health,
                Optional.of(breaker), caFile);
    }

    public UpstreamPoolConfig withCaFile(Path caFile) {
        return new UpstreamPoolConfig(name, targets, balance, hashOn, timeouts, retries, ejection, health,
                circuitBreaker, Optional.of(caFile));
    }

    public UpstreamPoolConfig withEjection(Ejection ejection) {
        return new UpstreamPoolConfig(name, targets, balance, hashOn, timeouts, retries, ejection, health, circuitBreaker, caFile);
    }
}
