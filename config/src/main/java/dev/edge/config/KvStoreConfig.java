package dev.edge.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** One {@code [key_value_store.<label>]} section. */
public sealed interface KvStoreConfig {

    /**
     * {@code type = "spin"}: the embedded SQLite store. After loading, {@code path} is always present and
     * absolute: the configured path (relative paths resolve against the runtime config's directory), or
     * {@code <state-dir>/sqlite_key_value.db} when none was given.
     */
    record Spin(Optional<Path> path) implements KvStoreConfig {}

    /** {@code type = "memory"} (edge extension): JVM heap only, lost on restart. For ephemeral nodes and tests. */
    record Memory() implements KvStoreConfig {}

    /**
     * {@code type = "redis"}: writes and atomics go to the primary at {@code url}; reads go to
     * {@code replicaUrl} (the regional replica) through a Caffeine near-cache.
     *
     * @param url                 primary, {@code redis[s]://[user:password@]host:port[/db]}
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

        public static final String DEFAULT_REGION = "local";
        public static final long DEFAULT_NEAR_CACHE_MAX_ENTRIES = 100_000;
        public static final Duration DEFAULT_NEAR_CACHE_MAX_TTL = Duration.ofSeconds(30);
        public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
        public static final Duration DEFAULT_ATOMIC_TIMEOUT = Duration.ofSeconds(5);
        public static final int DEFAULT_WAIT_REPLICAS = 0;
        public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofMillis(500);

        /** A primary-only store with every extension at its default. */
        public static Redis withDefaults(URI url) {
            return new Redis(url, Optional.empty(), DEFAULT_REGION, DEFAULT_NEAR_CACHE_MAX_ENTRIES,
                    DEFAULT_NEAR_CACHE_MAX_TTL, DEFAULT_COMMAND_TIMEOUT, DEFAULT_ATOMIC_TIMEOUT,
                    DEFAULT_WAIT_REPLICAS, DEFAULT_WAIT_TIMEOUT);
        }

        public boolean nearCacheEnabled() {
            return nearCacheMaxEntries > 0;
        }

        /** Never shows a password: the URLs are redacted. */
        @Override
        public String toString() {
            return "Redis[url=" + redact(url) + ", replicaUrl=" + replicaUrl.map(Redis::redact).orElse("none")
                    + ", region=" + region + ", nearCacheMaxEntries=" + nearCacheMaxEntries
                    + ", nearCacheMaxTtl=" + nearCacheMaxTtl + ", commandTimeout=" + commandTimeout
                    + ", atomicTimeout=" + atomicTimeout + ", waitReplicas=" + waitReplicas
                    + ", waitTimeout=" + waitTimeout + "]";
        }

        /** The URL with any password replaced, safe for logs and error messages. */
        public static String redact(URI uri) {
            // Not getRawUserInfo(): a sentinel URL's host list is a registry-based authority without user info.
            return redact(uri.toString());
        }

        /**
         * Redacts a URL string that may not even parse: everything between {@code ://} and the last
         * {@code @} of the authority is replaced.
         */
        public static String redact(String url) {
            int start = url.indexOf("://");
            int from = start < 0 ? 0 : start + 3;
            int slash = url.indexOf('/', from);
            int authorityEnd = slash < 0 ? url.length() : slash;
            int at = url.lastIndexOf('@', authorityEnd - 1);
            if (at < from) {
                // no userinfo in the authority; an '@' further on could still hide one in a malformed URL
                int anyAt = url.lastIndexOf('@');
                if (anyAt < from) {
                    return url;
                }
                at = anyAt;
            }
            return url.substring(0, from) + "***" + url.substring(at);
        }
    }
}
