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
    private final StoreLimits limits;

    /** With {@link StoreLimits#DEFAULT} (8 KiB keys, 1 MiB values). */
    public KeyValueFactor(String appName, Map<String, StoreBackend> backendsByLabel) {
        this(appName, backendsByLabel, StoreLimits.DEFAULT);
    }

    public KeyValueFactor(String appName, Map<String, StoreBackend> backendsByLabel, StoreLimits limits) {
        this.appName = appName;
        this.backendsByLabel = Map.copyOf(backendsByLabel);
        this.limits = limits;
    }

    public String appName() { return appName; }

    public Set<String> labels() { return backendsByLabel.keySet(); }

    public StoreLimits limits() { return limits; }

    /** A fresh handle table for one request of a component granted {@code grantedLabels}. */
    public StoreTable newStoreTable(Set<String> grantedLabels) {
        return new StoreTable(this, grantedLabels);
    }

    /**
     * The store of {@code label} with the limits applied, for host-side callers (e.g. KV-aware routing).
     * Guests go through {@link #newStoreTable}, which also checks the component's grants.
     */
    public KeyValueStore openStore(String label) {
        StoreBackend backend = backendsByLabel.get(label);
        if (backend == null) {
            throw new KvException(KvException.Kind.NO_SUCH_STORE,
                    "no such store: '" + label + "' is not configured for app '" + appName + "'");
        }
        return new LimitedKeyValueStore(backend.open(appName, label), limits);
    }

    @Override
    public void close() {
        backendsByLabel.values().stream().distinct().forEach(StoreBackend::close);
    }
}
