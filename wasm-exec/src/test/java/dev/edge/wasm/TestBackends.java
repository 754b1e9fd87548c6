package dev.edge.wasm;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.StoreBackend;
import dev.edge.kv.memory.InMemoryStoreBackend;
import dev.edge.kv.redis.RedisStoreBackend;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import dev.edge.kv.testing.RedisServerProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The three real key-value backends a guest can be wired to, for tests parameterized over them. Redis is one
 * real {@code redis-server} per test JVM, started on first use; every test uses its own application name, so
 * the per-application key namespace keeps tests apart without flushing.
 */
final class TestBackends {
    private TestBackends() {}

    /** Names for {@code @ValueSource}: every backend edge ships. */
    static final String MEMORY = "memory";
    static final String SQLITE = "sqlite";
    static final String REDIS = "redis";

    private static final AtomicInteger APPS = new AtomicInteger();
    private static RedisServerProcess redis;

    /** A fresh application name, unique in this JVM and across runs sharing a Redis. */
    static String newAppName() {
        return "app-" + ProcessHandle.current().pid() + "-" + APPS.incrementAndGet();
    }

    /**
     * A new backend of {@code kind}. Two calls with the same {@code sqliteDir} open the same SQLite file, and
     * every Redis backend talks to the same server: that is how two gateway nodes share a store. (A SQLite
     * file belongs to one application, so {@code appName} must be the one the backend will serve.)
     */
    static StoreBackend create(String kind, String appName, Path sqliteDir) {
        return switch (kind) {
            case MEMORY -> new InMemoryStoreBackend();
            case SQLITE -> SqliteStoreBackend.inStateDir(sqliteDir, appName);
            case REDIS -> new RedisStoreBackend(KvStoreConfig.Redis.withDefaults(redis().uri()), new SimpleMeterRegistry());
            default -> throw new IllegalArgumentException("unknown backend " + kind);
        };
    }

    static synchronized RedisServerProcess redis() {
        if (redis == null) {
            redis = RedisServerProcess.start();
            RedisServerProcess started = redis;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-redis-stop"));
        }
        return redis;
    }
}
