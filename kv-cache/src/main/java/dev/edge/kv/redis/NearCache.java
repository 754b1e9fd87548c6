package dev.edge.kv.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caffeine near-cache kept coherent by Redis client-side tracking (default mode, RESP3 pushes).
 *
 * <p>Protocol, per read miss: {@link #reserve} puts a unique placeholder <em>before</em> the GET is sent;
 * {@link #complete} installs the reply only if that very placeholder is still there. An invalidation
 * that overtakes the reply removes the placeholder, so the stale reply is dropped instead of cached.
 *
 * <p>Epochs: every event after which invalidations may have been lost (disconnect, FLUSHALL, replica
 * full resync, unanswered probe) {@link #disarm disarms} the cache: the epoch advances and everything is
 * dropped. Nothing is cached again until the tracking connection {@link #arm arms} a new epoch, which it
 * does only after {@code CLIENT TRACKING ON} succeeded on it. Placeholders remember their epoch and
 * never install into a later one.
 */
final class NearCache {

    /** A cached value; {@code value == null} is a negative entry (key absent). */
    record Cached(byte[] value) {}

    /** "Caching in progress"; identity matters, so no equals/hashCode. */
    static final class Placeholder {
        final long epoch;

        Placeholder(long epoch) { this.epoch = epoch; }
    }

    /** The caching permit: reads on {@code owner} (a tracking connection) may cache in {@code epoch}. */
    private record Armed(long epoch, Object owner) {}

    /** A reserved miss; pass it back to {@link #complete} or {@link #abandon}. */
    record Ticket(String key, Placeholder placeholder) {}

    /**
     * Larger values are not cached: the cache is bounded by entry count (nearCacheMaxEntries), and
     * 1 MiB values would make that bound meaningless for memory.
     */
    static final int MAX_CACHED_VALUE_BYTES = 64 * 1024;

    private final Cache<String, Object> cache;
    private final boolean enabled;
    private final AtomicLong epoch = new AtomicLong();
    private volatile Armed armed;
    private final RedisKvMetrics metrics;

    NearCache(long maxEntries, Duration maxTtl, RedisKvMetrics metrics) {
        this.enabled = maxEntries > 0;
        this.metrics = metrics;
        this.cache = Caffeine.newBuilder()
                .maximumSize(Math.max(1, maxEntries))
                .expireAfterWrite(maxTtl)
                .executor(Runnable::run) // evictions inline: keeps the size bound tight and tests deterministic
                .build();
    }

    /** The cached value (Optional.empty() inside = cached absence), or null on a miss. */
    Optional<byte[]> lookup(String key) {
        Optional<byte[]> hit = peek(key);
        if (hit == null && enabled) {
            metrics.nearCacheMiss();
        }
        return hit;
    }

    /** As {@link #lookup}, but a miss is not counted (the caller will look again with {@link #lookup}). */
    Optional<byte[]> peek(String key) {
        if (!enabled) {
            return null;
        }
        Object o = cache.getIfPresent(key);
        if (o instanceof Cached c) {
            metrics.nearCacheHit();
            return Optional.ofNullable(c.value() == null ? null : c.value().clone());
        }
        return null;
    }

    /** Reserves a miss on {@code owner}'s connection; null when caching is currently not allowed. */
    Ticket reserve(String key, Object owner) {
        Armed a = armed;
        if (!enabled || a == null || a.owner() != owner || a.epoch() != epoch.get()) {
            return null;
        }
        Placeholder p = new Placeholder(a.epoch());
        cache.put(key, p);
        return new Ticket(key, p);
    }

    /** Installs the reply of a reserved miss if no invalidation and no disarm happened meanwhile. */
    void complete(Ticket ticket, byte[] value) {
        if (ticket == null) {
            return;
        }
        if (value != null && value.length > MAX_CACHED_VALUE_BYTES) {
            abandon(ticket);
            return;
        }
        Armed a = armed;
        Cached entry = new Cached(value == null ? null : value.clone()); // the caller keeps its array
        if (a != null && a.epoch() == ticket.placeholder().epoch
                && cache.asMap().replace(ticket.key(), ticket.placeholder(), entry)) {
            // A disarm racing with the replace advanced the epoch: drop what we just put.
            if (epoch.get() != ticket.placeholder().epoch) {
                cache.asMap().remove(ticket.key(), entry);
            }
            return;
        }
        abandon(ticket);
    }

    void abandon(Ticket ticket) {
        if (ticket != null) {
            cache.asMap().remove(ticket.key(), ticket.placeholder());
        }
    }

    /** A tracking invalidation (or a local write) for {@code key}. */
    void invalidate(String key) {
        if (enabled) {
            cache.invalidate(key);
        }
    }

    void invalidatePushed(String key) {
        metrics.nearCacheInvalidation();
        invalidate(key);
    }

    /** Stops caching and drops everything; returns the new epoch (not yet armed). A null reason is not counted. */
    long disarm(String reason) {
        long e = epoch.incrementAndGet();
        armed = null;
        cache.invalidateAll();
        if (reason != null) {
            metrics.nearCacheFlush(reason);
        }
        return e;
    }

    /** Allows caching again for reads on {@code owner}, unless another disarm happened since {@code e}. */
    synchronized boolean arm(long e, Object owner) {
        if (epoch.get() != e) {
            return false;
        }
        armed = new Armed(e, owner);
        return true;
    }

    boolean isArmed() {
        Armed a = armed;
        return a != null && a.epoch() == epoch.get();
    }

    long epoch() { return epoch.get(); }

    /** Cached values (placeholders excluded). */
    long size() {
        return cache.asMap().values().stream().filter(Cached.class::isInstance).count();
    }

    boolean containsValue(String key) {
        return cache.getIfPresent(key) instanceof Cached;
    }
}
