package dev.edge.kv;

import java.util.Map;
import java.util.Set;

/**
 * The key-value capability of one application: its configured labels, each bound to a backend.
 * Components get a {@link StoreTable} per request, limited to the labels they were granted.
 */
public final class KeyValueFactor implements AutoCloseable {
    private final String appName;
    private final Map<String, StoreBackend> backendsByLabel;

    public KeyValueFactor(String appName, Map<String, StoreBackend> backendsByLabel) {
        this.appName = appName;
        this.backendsByLabel = Map.copyOf(backendsByLabel);
    }

    public String appName() { return appName; }

    public Set<String> labels() { return backendsByLabel.keySet(); }

    /** A fresh handle table for one request of a component granted {@code grantedLabels}. */
    public StoreTable newStoreTable(Set<String> grantedLabels) {
        return new StoreTable(this, grantedLabels);
    }

    KeyValueStore openStore(String label) {
        StoreBackend backend = backendsByLabel.get(label);
        if (backend == null) {
            throw new KvException(KvException.Kind.NO_SUCH_STORE, "no such store: " + label);
        }
        return backend.open(appName, label);
    }

    @Override
    public void close() {
        backendsByLabel.values().stream().distinct().forEach(StoreBackend::close);
    }
}
