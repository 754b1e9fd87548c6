package dev.edge.kv.memory;

import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.StoreBackend;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * An ephemeral backend holding everything in the JVM heap (edge extension {@code type = "memory"}), for
 * nodes whose data may vanish on restart and for tests. One instance may serve many applications; each
 * (application, label) pair gets its own map.
 */
public final class InMemoryStoreBackend implements StoreBackend {
    private final ConcurrentMap<StoreId, InMemoryKeyValueStore> stores = new ConcurrentHashMap<>();
    private volatile boolean closed;

    @Override
    public KeyValueStore open(String appName, String label) {
        if (closed) {
            throw new KvException(KvException.Kind.OTHER, "the in-memory key-value backend is closed");
        }
        return stores.computeIfAbsent(new StoreId(appName, label), id -> new InMemoryKeyValueStore());
    }

    @Override
    public String describe() {
        return "memory (ephemeral, " + stores.size() + " stores)";
    }

    @Override
    public void close() {
        closed = true;
        stores.clear();
    }

    private record StoreId(String appName, String label) {
    }
}
