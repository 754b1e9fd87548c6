package dev.edge.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** One {@code [key_value_store.<label>]} section. */
public sealed interface KvStoreConfig {

    /** {@code type = "spin"}: the embedded SQLite store. {@code path} defaults to {@code <state-dir>/sqlite_key_value.db}. */
    record Spin(Optional<Path> path) implements KvStoreConfig {}

    /**
     * {@code type = "redis"}: writes and atomics go to the primary at {@code url}; reads go to
     * {@code replicaUrl} (the regional replica) through a Caffeine near-cache.
     *
     * @param url                 primary, {@code redis://[user:password@]host:port[/db]}
     * @param replicaUrl          regional replica reads go to; absent: reads go to the primary
     * @param region              region name, for logs and metrics
     * @param nearCacheMaxEntries near-cache bound; 0 disables the near-cache
     * @param nearCacheMaxTtl     backstop: no near-cache entry lives longer than this
     * @param commandTimeout      latency budget for plain reads and writes
     * @param atomicTimeout       latency budget for increment and compare-and-swap
     * @param waitReplicas        if &gt; 0, writes run {@code WAIT waitReplicas waitTimeout} before they are acknowledged
     * @param waitTimeout         timeout for {@code WAIT}
     */
    record Redis(
            URI url,
            Optional<URI> replicaUrl,
            String region,
            long nearCacheMaxEntries,
            Duration nearCacheMaxTtl,
            Duration commandTimeout,
            Duration atomicTimeout,
            int waitReplicas,
            Duration waitTimeout) implements KvStoreConfig {

        /** The URL with any password replaced, safe for logs and error messages. */
        public static String redact(URI uri) {
            String userInfo = uri.getRawUserInfo();
            if (userInfo == null) {
                return uri.toString();
            }
            return uri.toString().replace(userInfo + "@", "***@");
        }
    }
}
