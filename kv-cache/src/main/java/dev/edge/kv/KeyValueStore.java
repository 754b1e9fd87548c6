package dev.edge.kv;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One opened key-value store (one label of one application): Spin's {@code fermyon:spin/key-value}
 * operations plus wasi:keyvalue's atomics and batches. Implementations are thread-safe.
 *
 * <p>Every method may throw {@link KvException}. A write method that returns normally was
 * acknowledged by the backend's system of record; a failed write always throws.
 *
 * <p>Increment values are stored as decimal ASCII strings (e.g. {@code "42"}) on every backend, so a
 * counter can be read with {@link #get} and moved between backends. A value that is not a decimal
 * i64 makes {@link #increment} fail with {@link KvException.Kind#OTHER}.
 */
public interface KeyValueStore {

    Optional<byte[]> get(String key);

    /**
     * {@link #get}'s answer if the store can give it without waiting on I/O (a near-cache hit, an in-memory
     * store); null if it would have to wait. Lets a guest run on a thread that must not block (issue 9): on null
     * the caller re-runs the request where it may block, so this must have no effect beyond {@link #get}'s own.
     */
    default Optional<byte[]> getWithoutBlocking(String key) {
        return null;
    }

    /** Upsert. */
    void set(String key, byte[] value);

    /**
     * Edge extension: upsert a value that expires after {@code ttl} (a later {@link #set} makes the key
     * persistent again). Only the Redis tier supports it; other stores answer {@code other}.
     */
    default void setWithTtl(String key, byte[] value, java.time.Duration ttl) {
        throw new KvException(KvException.Kind.OTHER,
                "set with a TTL (expiring keys) needs a store of type \"redis\"");
    }

    /** No error when the key is absent. */
    void delete(String key);

    boolean exists(String key);

    /** All keys, in {@link KeyOrder#CODE_POINT} order. Prefer {@link #listKeys} for large stores. */
    List<String> getKeys();

    /**
     * One page of keys that start with {@code prefix}, in {@link KeyOrder#CODE_POINT} order (SQLite and memory:
     * across pages too; Redis: within a page, since SCAN has no order).
     *
     * @param cursor null for the first page, else {@link KeyPage#nextCursor()} of the previous page
     * @param limit  upper bound on keys returned (a hint; a page may hold fewer even when more remain)
     */
    KeyPage listKeys(String prefix, String cursor, int limit);

    /** The keys that exist, with their values; absent keys are left out. */
    Map<String, byte[]> getMany(List<String> keys);

    void setMany(Map<String, byte[]> entries);

    void deleteMany(List<String> keys);

    /** Atomically adds {@code delta} (an absent key counts as 0) and returns the new value. Never retried blindly. */
    long increment(String key, long delta);

    /**
     * Atomically replaces the value if the current value equals {@code expected}.
     *
     * @param expected the value read earlier, or null if the key was absent
     * @return true if swapped; false if the value changed since (wasi:keyvalue's {@code cas-failed})
     */
    boolean compareAndSwap(String key, byte[] expected, byte[] value);

    /** A page of {@link #listKeys}; {@code nextCursor} is null on the last page. */
    record KeyPage(List<String> keys, String nextCursor) {
        public KeyPage {
            keys = List.copyOf(keys);
        }
    }
}
