package dev.edge.kv.redis;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Read-your-writes bookkeeping: keys written through this node whose write the regional replica may
 * not have applied yet. Reads of a dirty key bypass the near-cache and the replica and go to the primary.
 *
 * <p>A key becomes dirty <em>before</em> its write is sent ({@link #beginWrite}); when the write
 * finishes (acknowledged or failed) it gets a sequence number taken <em>after</em> the reply
 * ({@link #endWrite}). The prober takes {@link #snapshot() S}, then reads the primary's replication
 * offset P, then the replica's offset R over the tracking connection. Every write numbered &le; S was
 * acknowledged before P was read, so once R &ge; P (same replication id) the replica has applied it, and
 * because R came over the tracking connection, the invalidations it caused were processed before R's
 * reply: {@link #clearUpTo(long) clearing} marks with seq &le; S is then safe. A mark with writes still
 * in flight is never cleared. {@code maxAge} is a memory backstop for a replica that never catches up.
 */
final class DirtyKeys {

    private record Mark(int inFlight, long seq, long touchedNanos) {}

    private final ConcurrentHashMap<String, Mark> marks = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final long maxAgeNanos;

    DirtyKeys(Duration maxAge) {
        this.maxAgeNanos = maxAge.toNanos();
    }

    void beginWrite(String key) {
        marks.compute(key, (k, m) -> new Mark(m == null ? 1 : m.inFlight() + 1, Long.MAX_VALUE, System.nanoTime()));
    }

    void endWrite(String key) {
        marks.compute(key, (k, m) -> {
            long s = seq.incrementAndGet(); // after the reply: see class comment
            return new Mark(m == null ? 0 : Math.max(0, m.inFlight() - 1), s, System.nanoTime());
        });
    }

    boolean isDirty(String key) {
        Mark m = marks.get(key);
        if (m == null) {
            return false;
        }
        if (m.inFlight() == 0 && System.nanoTime() - m.touchedNanos() >= maxAgeNanos) {
            marks.remove(key, m);
            return false;
        }
        return true;
    }

    boolean isEmpty() { return marks.isEmpty(); }

    int size() { return marks.size(); }

    long snapshot() { return seq.get(); }

    /** Clears every settled mark whose last write finished at or before {@code snapshot}. */
    void clearUpTo(long snapshot) {
        for (String key : marks.keySet()) {
            marks.computeIfPresent(key, (k, m) -> m.inFlight() == 0 && m.seq() <= snapshot ? null : m);
        }
    }

    /** Drops settled marks older than {@code maxAge} (the replica never caught up). */
    void expireOld() {
        long now = System.nanoTime();
        for (String key : marks.keySet()) {
            marks.computeIfPresent(key, (k, m) ->
                    m.inFlight() == 0 && now - m.touchedNanos() >= maxAgeNanos ? null : m);
        }
    }

    void clearAll() { marks.clear(); }
}
