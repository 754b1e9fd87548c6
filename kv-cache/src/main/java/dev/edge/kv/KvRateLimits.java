package dev.edge.kv;

import dev.edge.config.KeyValueLimits;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;

/**
 * One application's key-value read and write quotas ({@code read_rps}, {@code write_rps} of
 * {@code [key_value_limits]}), shared by every store and backend of the application. Each is a Resilience4j
 * {@link RateLimiter} with a 1 s period and no waiting: an operation over the quota fails at once with
 * {@link KvException#rateLimited}, carrying the time until the next period as its retry-after.
 */
public final class KvRateLimits {
    /** No quotas. */
    public static final KvRateLimits UNLIMITED = new KvRateLimits(null, null);

    private static final Duration PERIOD = Duration.ofSeconds(1);

    private final RateLimiter reads;
    private final RateLimiter writes;
    private final java.util.concurrent.atomic.LongAdder readsRefused = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder writesRefused = new java.util.concurrent.atomic.LongAdder();

    private KvRateLimits(RateLimiter reads, RateLimiter writes) {
        this.reads = reads;
        this.writes = writes;
    }

    /** The quotas of {@code limits} for application {@code appName} (a rate of 0 is unlimited). */
    public static KvRateLimits of(String appName, KeyValueLimits limits) {
        return new KvRateLimits(
                limits.readsLimited() ? limiter(appName + "-kv-reads", limits.readRps()) : null,
                limits.writesLimited() ? limiter(appName + "-kv-writes", limits.writeRps()) : null);
    }

    private static RateLimiter limiter(String name, long perSecond) {
        return RateLimiter.of(name, RateLimiterConfig.custom()
                .limitForPeriod((int) Math.min(Integer.MAX_VALUE, perSecond))
                .limitRefreshPeriod(PERIOD)
                .timeoutDuration(Duration.ZERO)
                .build());
    }

    /** Takes {@code operations} read permits (a batch counts per key, up to one period's quota) or fails. */
    void read(int operations) {
        acquire(reads, "read", operations, readsRefused);
    }

    /** Takes {@code operations} write permits (a batch counts per key, up to one period's quota) or fails. */
    void write(int operations) {
        acquire(writes, "write", operations, writesRefused);
    }

    /** Operations refused over the read quota, since start. */
    public long readsRefused() {
        return readsRefused.sum();
    }

    /** Operations refused over the write quota, since start. */
    public long writesRefused() {
        return writesRefused.sum();
    }

    public boolean isUnlimited() {
        return reads == null && writes == null;
    }

    private static void acquire(RateLimiter limiter, String kind, int operations, java.util.concurrent.atomic.LongAdder refused) {
        if (limiter == null) {
            return;
        }
        int quota = limiter.getRateLimiterConfig().getLimitForPeriod();
        // A batch larger than a whole period's quota could never pass; it takes the whole quota instead.
        int permits = Math.max(1, Math.min(operations, quota));
        if (!limiter.acquirePermission(permits)) {
            refused.increment();
            Duration retryAfter = limiter.getMetrics() instanceof AtomicRateLimiter.AtomicRateLimiterMetrics metrics
                    ? Duration.ofNanos(Math.max(1, metrics.getNanosToWait()))
                    : PERIOD;
            throw KvException.rateLimited("rate limit exceeded: more than " + quota + " key-value " + kind
                    + "s per second for this application", retryAfter);
        }
    }
}
