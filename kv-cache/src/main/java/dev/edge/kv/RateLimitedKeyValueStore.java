package dev.edge.kv;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies the application's {@link KvRateLimits} in front of any backend's store, so every backend counts
 * reads ({@code get}, {@code exists}, {@code get-keys}, list pages, {@code get-many}) and writes ({@code set},
 * {@code delete}, {@code increment}, compare-and-swap, {@code set-many}, {@code delete-many}) the same way.
 * A refused operation never reaches the backend.
 */
public final class RateLimitedKeyValueStore implements KeyValueStore {
    private final KeyValueStore delegate;
    private final KvRateLimits limits;

    public RateLimitedKeyValueStore(KeyValueStore delegate, KvRateLimits limits) {
        this.delegate = delegate;
        this.limits = limits;
    }

    public KeyValueStore delegate() {
        return delegate;
    }

    @Override
    public Optional<byte[]> get(String key) {
        limits.read(1);
        return delegate.get(key);
    }

    /** Counts the read only when it is answered here: a read re-run where it may block is counted there, once. */
    @Override
    public Optional<byte[]> getWithoutBlocking(String key) {
        Optional<byte[]> value = delegate.getWithoutBlocking(key);
        if (value != null) {
            limits.read(1);
        }
        return value;
    }

    @Override
    public void set(String key, byte[] value) {
        limits.write(1);
        delegate.set(key, value);
    }

    @Override
    public void setWithTtl(String key, byte[] value, java.time.Duration ttl) {
        limits.write(1);
        delegate.setWithTtl(key, value, ttl);
    }

    @Override
    public void delete(String key) {
        limits.write(1);
        delegate.delete(key);
    }

    @Override
    public boolean exists(String key) {
        limits.read(1);
        return delegate.exists(key);
    }

    @Override
    public List<String> getKeys() {
        limits.read(1);
        return delegate.getKeys();
    }

    @Override
    public KeyPage listKeys(String prefix, String cursor, int limit) {
        limits.read(1);
        return delegate.listKeys(prefix, cursor, limit);
    }

    @Override
    public Map<String, byte[]> getMany(List<String> keys) {
        limits.read(keys.size());
        return delegate.getMany(keys);
    }

    @Override
    public void setMany(Map<String, byte[]> entries) {
        limits.write(entries.size());
        delegate.setMany(entries);
    }

    @Override
    public void deleteMany(List<String> keys) {
        limits.write(keys.size());
        delegate.deleteMany(keys);
    }

    @Override
    public long increment(String key, long delta) {
        limits.write(1);
        return delegate.increment(key, delta);
    }

    @Override
    public boolean compareAndSwap(String key, byte[] expected, byte[] value) {
        limits.write(1);
        return delegate.compareAndSwap(key, expected, value);
    }
}
