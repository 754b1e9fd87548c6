package dev.edge.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable {@code runtime-config.toml}. The {@code default} store is always defined: when the file
 * does not configure it, it is the embedded SQLite store in the state directory.
 *
 * @param keyValueStores  stores by label; always contains {@link #DEFAULT_LABEL}
 * @param keyValueLimits  the application's key-value quotas
 * @param kvRoutes        {@code [[kv_route]]}s (edge extension), in file order
 * @param guestLimits     memory, time and body limits of every component ({@code [guest_limits]})
 * @param proxy           settings of every reverse proxy ({@code [proxy]})
 * @param execution       node-wide memory budgets and guest admission limits ({@code [execution]})
 * @param listener        TLS certificates by SNI name, minimum version and ciphers ({@code [listener]})
 */
public record RuntimeConfig(Map<String, KvStoreConfig> keyValueStores, KeyValueLimits keyValueLimits,
                            List<KvRouteConfig> kvRoutes, GuestLimitsConfig guestLimits, ProxyConfig proxy,
                            ExecutionConfig execution, ListenerConfig listener) {
    public static final String DEFAULT_LABEL = "default";
    /** File name of the default store inside the state directory, as in Spin. */
    public static final String DEFAULT_DB_FILE = "sqlite_key_value.db";

    public RuntimeConfig {
        keyValueStores = Map.copyOf(keyValueStores);
        if (keyValueLimits == null) {
            throw new IllegalArgumentException("keyValueLimits");
        }
        kvRoutes = List.copyOf(kvRoutes);
        if (guestLimits == null) {
            throw new IllegalArgumentException("guestLimits");
        }
        if (proxy == null) {
            throw new IllegalArgumentException("proxy");
        }
        if (execution == null) {
            throw new IllegalArgumentException("execution");
        }
        if (listener == null) {
            throw new IllegalArgumentException("listener");
        }
    }

    /** With the default listener settings. */
    public RuntimeConfig(Map<String, KvStoreConfig> keyValueStores, KeyValueLimits keyValueLimits,
                         List<KvRouteConfig> kvRoutes, GuestLimitsConfig guestLimits, ProxyConfig proxy,
                         ExecutionConfig execution) {
        this(keyValueStores, keyValueLimits, kvRoutes, guestLimits, proxy, execution, ListenerConfig.DEFAULTS);
    }

    /** With the default proxy and execution settings. */
    public RuntimeConfig(Map<String, KvStoreConfig> keyValueStores, KeyValueLimits keyValueLimits,
                         List<KvRouteConfig> kvRoutes, GuestLimitsConfig guestLimits) {
        this(keyValueStores, keyValueLimits, kvRoutes, guestLimits, ProxyConfig.DEFAULTS, ExecutionConfig.DEFAULTS);
    }

    /** With the default guest limits. */
    public RuntimeConfig(Map<String, KvStoreConfig> keyValueStores, KeyValueLimits keyValueLimits,
                         List<KvRouteConfig> kvRoutes) {
        this(keyValueStores, keyValueLimits, kvRoutes, GuestLimitsConfig.DEFAULTS);
    }

    /** No kv routes, default guest limits. */
    public RuntimeConfig(Map<String, KvStoreConfig> keyValueStores, KeyValueLimits keyValueLimits) {
        this(keyValueStores, keyValueLimits, List.of());
    }

    /** Stores with the default limits. */
    public RuntimeConfig(Map<String, KvStoreConfig> keyValueStores) {
        this(keyValueStores, KeyValueLimits.DEFAULTS);
    }

    /** What edge runs with when there is no runtime config file: only {@code default}, in {@code stateDir}. */
    public static RuntimeConfig defaults(Path stateDir) {
        return new RuntimeConfig(Map.of(DEFAULT_LABEL, defaultStore(stateDir)));
    }

    /** {@code <stateDir>/sqlite_key_value.db}. */
    public static KvStoreConfig.Spin defaultStore(Path stateDir) {
        return new KvStoreConfig.Spin(Optional.of(stateDir.toAbsolutePath().normalize().resolve(DEFAULT_DB_FILE)));
    }

    public Optional<KvStoreConfig> store(String label) {
        return Optional.ofNullable(keyValueStores.get(label));
    }

    public boolean hasStore(String label) {
        return keyValueStores.containsKey(label);
    }

    /** A copy with {@code default} added if it is missing. */
    public RuntimeConfig withDefaultStore(Path stateDir) {
        if (hasStore(DEFAULT_LABEL)) {
            return this;
        }
        Map<String, KvStoreConfig> stores = new HashMap<>(keyValueStores);
        stores.put(DEFAULT_LABEL, defaultStore(stateDir));
        return new RuntimeConfig(stores, keyValueLimits, kvRoutes, guestLimits, proxy, execution, listener);
    }
}
