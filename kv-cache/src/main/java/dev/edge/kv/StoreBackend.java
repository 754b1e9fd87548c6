package dev.edge.kv;

/**
 * A pluggable key-value backend (Spin's "factor" model): one per {@code [key_value_store.<label>]}.
 * It hands out stores isolated per application, so two apps, or two labels of one app, never see each
 * other's keys.
 */
public interface StoreBackend extends AutoCloseable {

    /** The store for {@code label} of application {@code appName}. Cheap; may be called per request. */
    KeyValueStore open(String appName, String label);

    /** Human-readable description for logs, e.g. {@code sqlite .spin/sqlite_key_value.db}; never contains secrets. */
    String describe();

    @Override
    void close();
}
