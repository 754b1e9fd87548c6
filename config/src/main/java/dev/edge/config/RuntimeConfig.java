package dev.edge.config;

import java.util.Map;

/**
 * An immutable {@code runtime-config.toml}. The {@code default} store is always defined: when the file
 * does not configure it, it is the embedded SQLite store in the state directory.
 */
public record RuntimeConfig(Map<String, KvStoreConfig> keyValueStores) {
    public RuntimeConfig {
        keyValueStores = Map.copyOf(keyValueStores);
    }
}
