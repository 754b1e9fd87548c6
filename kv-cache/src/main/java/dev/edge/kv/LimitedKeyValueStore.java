package dev.edge.kv;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies {@link StoreLimits} in front of any backend's store, so every backend enforces the same key and
 * value rules on every operation path (including batches and compare-and-swap).
 */
public final class LimitedKeyValueStore implements KeyValueStore {
    private final KeyValueStore delegate;
    private final StoreLimits limits;

    public LimitedKeyValueStore(KeyValueStore delegate, StoreLimits limits) {
        this.delegate = delegate;
        this.limits = limits;
    }

    /** The wrapped backend store, for tests and diagnostics. */
    public KeyValueStore delegate() {
        return delegate;
    }

    @Override
    public Optional<byte[]> get(String key) {
        limits.checkKey(key);
        return delegate.get(key);
    }

    @Override
    public Optional<byte[]> getWithoutBlocking(String key) {
        limits.checkKey(key);
        return delegate.getWithoutBlocking(key);
    }

    @Override
    public void set(String key, byte[] value) {
        limits.checkKey(key);
        limits.checkValue(key, value);
        delegate.set(key, value);
    }

    @Override
    public void setWithTtl(String key, byte[] value, java.time.Duration ttl) {
        limits.checkKey(key);
        limits.checkValue(key, value);
        delegate.setWithTtl(key, value, ttl);
    }

    @Override
    public void delete(String key) {
        limits.checkKey(key);
        delegate.delete(key);
    }

    @Override
    public boolean exists(String key) {
        limits.checkKey(key);
        return delegate.exists(key);
    }

    @Override
    public List<String> getKeys() {
        return delegate.getKeys();
    }

    @Override
    public KeyPage listKeys(String prefix, String cursor, int limit) {
        limits.checkPrefix(prefix);
        if (limit < 1) {
            throw new KvException(KvException.Kind.OTHER, "list-keys limit must be at least 1, was " + limit);
        }
        return delegate.listKeys(prefix, cursor, Math.min(limit, StoreLimits.MAX_PAGE_KEYS));
    }

    @Override
    public Map<String, byte[]> getMany(List<String> keys) {
        limits.checkKeys(keys);
        return delegate.getMany(keys);
    }

    @Override
    public void setMany(Map<String, byte[]> entries) {
        limits.checkEntries(entries); // all or nothing: a bad entry rejects the batch before any write
        delegate.setMany(entries);
    }

    @Override
    public void deleteMany(List<String> keys) {
        limits.checkKeys(keys);
        delegate.deleteMany(keys);
    }

    @Override
    public long increment(String key, long delta) {
        limits.checkKey(key);
        return delegate.increment(key, delta);
    }

    @Override
    public boolean compareAndSwap(String key, byte[] expected, byte[] value) {
        limits.checkKey(key);
        limits.checkValue(key, value);
        return delegate.compareAndSwap(key, expected, value);
    }
}
