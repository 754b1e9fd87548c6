package dev.edge.gateway;

import dev.edge.config.KvStoreConfig;
import dev.edge.config.RuntimeConfig;
import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KvException;
import dev.edge.kv.StoreBackend;
import dev.edge.kv.memory.InMemoryStoreBackend;
import dev.edge.kv.redis.RedisStoreBackend;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application's {@link KeyValueFactor} (one backend per runtime-config label) and its SQLite files,
 * which {@link #claimFiles()} records as the app's once the app has loaded.
 */
record KeyValueBackends(KeyValueFactor factor, java.util.Collection<SqliteStoreBackend> sqliteFiles) {

    /** Records the app as the owner of every SQLite file it uses (a failed start claims nothing). */
    void claimFiles() {
        sqliteFiles.forEach(SqliteStoreBackend::claim);
    }

    /**
     * @param stateDir where the default SQLite file lives when the config gives no path
     */
    static KeyValueBackends build(String appName, RuntimeConfig runtime, Path stateDir, MeterRegistry registry) {
        Map<String, StoreBackend> byLabel = new LinkedHashMap<>();
        // Labels pointing at the same SQLite file share one backend: a file belongs to one app and one pool.
        Map<Path, SqliteStoreBackend> sqliteByFile = new LinkedHashMap<>();
        try {
            Map<String, KvStoreConfig> stores = new LinkedHashMap<>(runtime.keyValueStores());
            stores.putIfAbsent(RuntimeConfig.DEFAULT_LABEL, RuntimeConfig.defaultStore(stateDir));
            for (Map.Entry<String, KvStoreConfig> store : stores.entrySet()) {
                StoreBackend backend;
                if (store.getValue() instanceof KvStoreConfig.Spin spin) {
                    Path file = sqliteFile(spin, stateDir);
                    backend = sqliteByFile.computeIfAbsent(file, f -> new SqliteStoreBackend(f, appName));
                } else {
                    backend = open(store.getKey(), store.getValue(), stateDir, appName, registry);
                }
                byLabel.put(store.getKey(), backend);
            }
        } catch (RuntimeException e) {
            byLabel.values().stream().distinct().forEach(StoreBackend::close);
            throw e;
        }
        // Sizes and read/write rates of [key_value_limits], enforced in front of every backend.
        return new KeyValueBackends(KeyValueFactor.withLimits(appName, byLabel, runtime.keyValueLimits()),
                List.copyOf(sqliteByFile.values()));
    }

    /** The backend of one {@code [key_value_store.<label>]}, opened (SQLite) or connected (Redis). */
    static StoreBackend open(String label, KvStoreConfig store, Path stateDir, String appName, MeterRegistry registry) {
        if (store instanceof KvStoreConfig.Spin spin) {
            return new SqliteStoreBackend(sqliteFile(spin, stateDir), appName);
        } else if (store instanceof KvStoreConfig.Memory) {
            return new InMemoryStoreBackend();
        } else if (store instanceof KvStoreConfig.Redis redis) {
            return openRedis(label, redis, registry);
        }
        throw new IllegalStateException("unsupported key_value_store type for label " + label);
    }

    /** The error names the store: "key_value_store.<label>: cannot connect to Redis primary ..." (no password). */
    private static StoreBackend openRedis(String label, KvStoreConfig.Redis redis, MeterRegistry registry) {
        try {
            return new RedisStoreBackend(redis, registry);
        } catch (KvException e) {
            throw new KvException(e.kind(), "key_value_store." + label + ": " + e.getMessage(), e);
        }
    }

    static Path sqliteFile(KvStoreConfig.Spin spin, Path stateDir) {
        return spin.path().orElse(stateDir.resolve(RuntimeConfig.DEFAULT_DB_FILE)).toAbsolutePath().normalize();
    }
}
