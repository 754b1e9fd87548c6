package dev.edge.kv.memory;

import dev.edge.kv.Counters;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.KeyCursors;
import dev.edge.kv.KeyOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One label of one app. A sorted lock-free map (in {@link KeyOrder#CODE_POINT}, as every backend lists)
 * gives ordered keyset pagination; values are wrapped in
 * {@link Value} (content equality) so compare-and-swap is the map's own atomic {@code replace(k, old, new)}.
 */
final class InMemoryKeyValueStore implements KeyValueStore {
    private final ConcurrentSkipListMap<String, Value> entries = new ConcurrentSkipListMap<>(KeyOrder.CODE_POINT);

    @Override
    public Optional<byte[]> get(String key) {
        Value value = entries.get(key);
        return value == null ? Optional.empty() : Optional.of(value.copy());
    }

    @Override
    public Optional<byte[]> getWithoutBlocking(String key) {
        return get(key);
    }

    @Override
    public void set(String key, byte[] value) {
        entries.put(key, Value.of(value));
    }

    @Override
    public void delete(String key) {
        entries.remove(key);
    }

    @Override
    public boolean exists(String key) {
        return entries.containsKey(key);
    }

    @Override
    public List<String> getKeys() {
        return new ArrayList<>(entries.keySet());
    }

    @Override
    public KeyPage listKeys(String prefix, String cursor, int limit) {
        NavigableMap<String, Value> range = entries.tailMap(prefix, true);
        if (cursor != null) {
            String after = KeyCursors.decode(cursor);
            if (KeyOrder.CODE_POINT.compare(after, prefix) >= 0) {
                range = entries.tailMap(after, false);
            }
        }
        List<String> keys = new ArrayList<>(Math.min(limit, 1024));
        for (String key : range.keySet()) {
            if (!key.startsWith(prefix)) {
                break; // keys with a prefix are contiguous in sort order
            }
            if (keys.size() == limit) {
                return new KeyPage(keys, KeyCursors.encode(keys.get(keys.size() - 1)));
            }
            keys.add(key);
        }
        return new KeyPage(keys, null);
    }

    @Override
    public Map<String, byte[]> getMany(List<String> keys) {
        Map<String, byte[]> found = new LinkedHashMap<>();
        for (String key : keys) {
            Value value = entries.get(key);
            if (value != null) {
                found.put(key, value.copy());
            }
        }
        return found;
    }

    @Override
    public void setMany(Map<String, byte[]> batch) {
        batch.forEach(this::set);
    }

    @Override
    public void deleteMany(List<String> keys) {
        keys.forEach(entries::remove);
    }

    @Override
    public long increment(String key, long delta) {
        while (true) {
            Value current = entries.get(key);
            if (current == null) {
                if (entries.putIfAbsent(key, Value.of(Counters.encode(delta))) == null) {
                    return delta;
                }
                continue;
            }
            long next = Counters.add(key, Counters.parseDecimal(key, current.bytes), delta);
            if (entries.replace(key, current, Value.of(Counters.encode(next)))) {
                return next;
            }
        }
    }

    @Override
    public boolean compareAndSwap(String key, byte[] expected, byte[] value) {
        if (expected == null) {
            return entries.putIfAbsent(key, Value.of(value)) == null;
        }
        return entries.replace(key, Value.of(expected), Value.of(value));
    }

    /** An immutable byte string with content equality. */
    private static final class Value {
        private final byte[] bytes;

        private Value(byte[] bytes) {
            this.bytes = bytes;
        }

        static Value of(byte[] bytes) {
            if (bytes == null) {
                throw new KvException(KvException.Kind.OTHER, "value must not be null");
            }
            return new Value(bytes.clone());
        }

        byte[] copy() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Value other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
