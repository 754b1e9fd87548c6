package dev.edge.kv.redis;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Micrometer meters of one Redis backend, all tagged with its {@code region}.
 *
 * <ul>
 *   <li>{@code edge.kv.redis.nearcache.requests{result=hit|miss}}</li>
 *   <li>{@code edge.kv.redis.nearcache.invalidations} (keys invalidated by tracking pushes)</li>
 *   <li>{@code edge.kv.redis.nearcache.flushes{reason=...}}</li>
 *   <li>{@code edge.kv.redis.op{op,route,outcome}} latency of plain operations (budget: commandTimeout)</li>
 *   <li>{@code edge.kv.redis.atomic{op,outcome}} latency of increment / compare-and-swap (budget: atomicTimeout)</li>
 *   <li>{@code edge.kv.redis.primary.breaker} primary circuit breaker state (0 closed, 1 half-open, 2 open)</li>
 * </ul>
 */
final class RedisKvMetrics {
    static final String PREFIX = "edge.kv.redis.";

    private final MeterRegistry registry;
    private final String region;
    private final Counter hits;
    private final Counter misses;
    private final Counter invalidations;
    private final ConcurrentMap<List<String>, Timer> timers = new ConcurrentHashMap<>();

    RedisKvMetrics(MeterRegistry registry, String region) {
        this.registry = registry;
        this.region = region;
        this.hits = Counter.builder(PREFIX + "nearcache.requests").tag("region", region).tag("result", "hit")
                .description("near-cache lookups").register(registry);
        this.misses = Counter.builder(PREFIX + "nearcache.requests").tag("region", region).tag("result", "miss")
                .description("near-cache lookups").register(registry);
        this.invalidations = Counter.builder(PREFIX + "nearcache.invalidations").tag("region", region)
                .description("keys invalidated by Redis tracking pushes").register(registry);
    }

    void nearCacheHit() { hits.increment(); }

    void nearCacheMiss() { misses.increment(); }

    void nearCacheInvalidation() { invalidations.increment(); }

    void nearCacheFlush(String reason) {
        Counter.builder(PREFIX + "nearcache.flushes").tag("region", region).tag("reason", reason)
                .description("whole near-cache flushes").register(registry).increment();
    }

    /** {@code edge.kv.redis.primary.breaker{region}}: 0 closed, 1 half-open, 2 open. */
    void primaryBreakerGauge(java.util.function.Supplier<io.github.resilience4j.circuitbreaker.CircuitBreaker.State> state) {
        io.micrometer.core.instrument.Gauge.builder(PREFIX + "primary.breaker", () -> switch (state.get()) {
                    case CLOSED -> 0;
                    case HALF_OPEN -> 1;
                    default -> 2;
                }).tag("region", region).description("primary circuit breaker: 0 closed, 1 half-open, 2 open")
                .register(registry);
    }

    /** {@code edge.kv.redis.connection.up{region,connection}}: 1 while that connection is open. */
    void connectionGauge(String connection, java.util.function.BooleanSupplier up) {
        io.micrometer.core.instrument.Gauge.builder(PREFIX + "connection.up", () -> up.getAsBoolean() ? 1 : 0)
                .tag("region", region).tag("connection", connection)
                .description("1 while the connection (primary, replica, tracking) is open, else 0").register(registry);
    }

    /**
     * {@code edge.kv.redis.replica.link.up{region}} (the replica's own link to the primary at the last probe) and
     * {@code edge.kv.redis.replica.lag.bytes{region}} (primary offset minus replica offset, at the last probe that
     * read both: one runs while this node's writes wait for the replica).
     */
    void replicaGauges(java.util.function.BooleanSupplier linkUp, java.util.function.LongSupplier lagBytes) {
        io.micrometer.core.instrument.Gauge.builder(PREFIX + "replica.link.up", () -> linkUp.getAsBoolean() ? 1 : 0)
                .tag("region", region)
                .description("1 while the replica reports its link to the primary up (INFO replication), else 0")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder(PREFIX + "replica.lag.bytes", lagBytes::getAsLong)
                .tag("region", region).baseUnit("bytes")
                .description("replication bytes the replica was behind the primary at the last probe that compared them")
                .register(registry);
    }

    /** The near-cache hit's timer, kept apart: it is the hot path (no key list built per hit). */
    private volatile Timer nearCacheGetOk;

    void recordNearCacheGet(long startNanos) {
        Timer timer = nearCacheGetOk;
        if (timer == null) {
            timer = opTimer("get", "near-cache", "ok");
            nearCacheGetOk = timer;
        }
        timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    void recordOp(String op, String route, String outcome, long startNanos) {
        opTimer(op, route, outcome).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    private Timer opTimer(String op, String route, String outcome) {
        return timer(List.of("op", op, route, outcome), () -> Timer.builder(PREFIX + "op").tag("region", region)
                .tag("op", op).tag("route", route).tag("outcome", outcome)
                .description("Redis key-value operations, by operation, route (near-cache, replica, primary) and outcome")
                .register(registry));
    }

    void recordAtomic(String op, String outcome, long startNanos) {
        timer(List.of("atomic", op, outcome), () -> Timer.builder(PREFIX + "atomic").tag("region", region)
                .tag("op", op).tag("outcome", outcome)
                .description("Atomic Redis operations on the primary (increment, compare-and-swap), by outcome")
                .register(registry))
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Timers are looked up in a local map: building and registering a meter on every call cost several
     * hundred ns, more than a near-cache hit itself (NearCacheHitBenchmark).
     */
    private Timer timer(List<String> key, Supplier<Timer> create) {
        Timer timer = timers.get(key);
        return timer != null ? timer : timers.computeIfAbsent(key, k -> create.get());
    }
}
