package dev.edge.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads {@code runtime-config.toml}: Spin's {@code [key_value_store.<label>]} sections (types {@code spin}
 * and {@code redis}, with edge's redis extensions), edge's {@code [key_value_limits]}, {@code [[kv_route]]} and
 * {@code [guest_limits]}, {@code [proxy]}, {@code [upstream.<name>]}, {@code [execution]} and {@code [listener]}. Errors never
 * contain a Redis password. See docs/runtime-config.md.
 */
public final class RuntimeConfigLoader {
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
    static final Duration MAX_NEAR_CACHE_TTL = Duration.ofHours(24);
    static final long MAX_NEAR_CACHE_ENTRIES = 100_000_000L;
    static final int MAX_WAIT_REPLICAS = 64;
    static final long MAX_VALUE_BYTES = 512L * 1024 * 1024; // Redis' own string limit

    private RuntimeConfigLoader() {}

    /**
     * @param runtimeConfigOrNull the file, or null when there is none (only {@code default} is then defined)
     * @param stateDir            where the default store lives ({@code <stateDir>/sqlite_key_value.db})
     */
    public static RuntimeConfig load(Path runtimeConfigOrNull, Path stateDir) {
        if (runtimeConfigOrNull == null) {
            return RuntimeConfig.defaults(stateDir);
        }
        Path file = runtimeConfigOrNull.toAbsolutePath().normalize();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "", "runtime config file not found");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException(file, "", "runtime config is not valid UTF-8");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(file, "", "cannot read runtime config: " + e.getClass().getSimpleName());
        }
        return parse(file, text, stateDir);
    }

    /** Parses runtime config text as if it were the content of {@code file}. */
    public static RuntimeConfig parse(Path file, String text, Path stateDir) {
        Path absolute = file.toAbsolutePath().normalize();
        Table root = TomlTree.parse(absolute, text);
        root.allowOnly("key_value_store", "key_value_limits", "kv_route", "guest_limits", "proxy", "upstream",
                "execution", "listener");
        Path baseDir = absolute.getParent() == null ? Path.of("/") : absolute.getParent();
        Map<String, KvStoreConfig> stores = new LinkedHashMap<>();
        root.optTable("key_value_store").ifPresent(t -> {
            for (String label : t.keys()) {
                if (!Ids.isKebabOrSnake(label)) {
                    throw t.error(label, "label '" + label + "' must be kebab-case or snake_case");
                }
                stores.put(label, store(t.table(t.raw(label), t.fieldPath(label)), baseDir, stateDir));
            }
        });
        KeyValueLimits limits = root.optTable("key_value_limits").map(RuntimeConfigLoader::limits)
                .orElse(KeyValueLimits.DEFAULTS);
        GuestLimitsConfig guestLimits = root.optTable("guest_limits").map(RuntimeConfigLoader::guestLimits)
                .orElse(GuestLimitsConfig.DEFAULTS);
        RuntimeConfig withDefault = new RuntimeConfig(stores, limits).withDefaultStore(stateDir);
        List<KvRouteConfig> kvRoutes = KvRouteLoader.load(root, withDefault.keyValueStores().keySet());
        List<CidrBlock> trusted = root.optTable("proxy").map(RuntimeConfigLoader::trustForwarded).orElse(List.of());
        ProxyConfig proxy = new ProxyConfig(trusted, UpstreamPoolLoader.load(root, baseDir));
        ExecutionConfig execution = root.optTable("execution").map(RuntimeConfigLoader::execution)
                .orElse(ExecutionConfig.DEFAULTS);
        ListenerConfig listener = ListenerLoader.load(root, baseDir);
        return new RuntimeConfig(withDefault.keyValueStores(), limits, kvRoutes, guestLimits, proxy, execution,
                listener);
    }

    private static List<CidrBlock> trustForwarded(Table t) {
        t.allowOnly("trust_forwarded");
        List<String> texts = t.has("trust_forwarded") ? t.stringList("trust_forwarded") : List.of();
        List<CidrBlock> trusted = new java.util.ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            try {
                trusted.add(CidrBlock.parse(texts.get(i).trim()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(t.file(), t.fieldPath("trust_forwarded") + "[" + i + "]", e.getMessage());
            }
        }
        return trusted;
    }

    private static KvStoreConfig store(Table t, Path baseDir, Path stateDir) {
        String type = t.requireString("type");
        return switch (type) {
            case "spin" -> spin(t, baseDir, stateDir);
            case "redis" -> redis(t);
            case "memory" -> {
                t.allowOnly("type");
                yield new KvStoreConfig.Memory();
            }
            default -> throw t.error("type", "unsupported key_value_store type '" + type + "' (expected spin, redis or memory)");
        };
    }

    private static KvStoreConfig.Spin spin(Table t, Path baseDir, Path stateDir) {
        t.allowOnly("type", "path");
        Optional<String> path = t.optString("path");
        if (path.isEmpty()) {
            return RuntimeConfig.defaultStore(stateDir);
        }
        if (path.get().isBlank()) {
            throw t.error("path", "must not be empty");
        }
        Path resolved;
        try {
            resolved = baseDir.resolve(path.get()).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw t.error("path", "invalid path '" + path.get() + "'");
        }
        if (Files.isDirectory(resolved)) {
            throw t.error("path", resolved + " is a directory; give a database file path");
        }
        return new KvStoreConfig.Spin(Optional.of(resolved));
    }

    private static KvStoreConfig.Redis redis(Table t) {
        t.allowOnly("type", "url", "replica_url", "region", "near_cache_max_entries", "near_cache_max_ttl",
                "command_timeout", "atomic_timeout", "wait_replicas", "wait_timeout");
        URI url = primaryUrl(t, "url", t.requireString("url"));
        Optional<URI> replica = t.optString("replica_url").map(u -> redisUrl(t, "replica_url", u));
        String region = t.optString("region").orElse(KvStoreConfig.Redis.DEFAULT_REGION);
        if (!region.matches("[A-Za-z0-9._-]{1,64}")) {
            throw t.error("region", "region must be 1-64 letters, digits, '.', '_' or '-'");
        }
        long entries = t.optLong("near_cache_max_entries").orElse(KvStoreConfig.Redis.DEFAULT_NEAR_CACHE_MAX_ENTRIES);
        if (entries < 0 || entries > MAX_NEAR_CACHE_ENTRIES) {
            throw t.error("near_cache_max_entries", "must be between 0 (disabled) and " + MAX_NEAR_CACHE_ENTRIES);
        }
        Duration ttl = duration(t, "near_cache_max_ttl", KvStoreConfig.Redis.DEFAULT_NEAR_CACHE_MAX_TTL, MAX_NEAR_CACHE_TTL);
        Duration command = duration(t, "command_timeout", KvStoreConfig.Redis.DEFAULT_COMMAND_TIMEOUT, MAX_TIMEOUT);
        Duration atomic = duration(t, "atomic_timeout", KvStoreConfig.Redis.DEFAULT_ATOMIC_TIMEOUT, MAX_TIMEOUT);
        long waitReplicas = t.optLong("wait_replicas").orElse((long) KvStoreConfig.Redis.DEFAULT_WAIT_REPLICAS);
        if (waitReplicas < 0 || waitReplicas > MAX_WAIT_REPLICAS) {
            throw t.error("wait_replicas", "must be between 0 (do not wait) and " + MAX_WAIT_REPLICAS);
        }
        Duration waitTimeout = duration(t, "wait_timeout", KvStoreConfig.Redis.DEFAULT_WAIT_TIMEOUT, MAX_TIMEOUT);
        if (waitReplicas > 0 && waitTimeout.compareTo(command) >= 0) {
            // WAIT runs inside the write's budget: a longer WAIT would time the write out after it succeeded
            throw t.error("wait_timeout", "must be shorter than command_timeout (" + format(command) + ")");
        }
        return new KvStoreConfig.Redis(url, replica, region, entries, ttl, command, atomic, (int) waitReplicas, waitTimeout);
    }

    /** The primary: a redis[s]:// URL, or a redis-sentinel:// URL naming the sentinels and the master. */
    private static URI primaryUrl(Table t, String key, String text) {
        String trimmed = text.trim();
        if (!trimmed.startsWith(RedisSentinelUrl.SCHEME + "://") && !trimmed.startsWith(RedisSentinelUrl.TLS_SCHEME + "://")) {
            return redisUrl(t, key, text);
        }
        String expected = " (expected redis-sentinel://[[user]:password@]host:port[,host:port...]/<master-name>[/db])";
        URI uri;
        try {
            uri = new URI(trimmed);
            RedisSentinelUrl.parse(uri);
        } catch (URISyntaxException e) {
            String where = e.getIndex() < 0 ? "" : " at character " + (e.getIndex() + 1);
            throw t.error(key, "invalid sentinel URL: " + e.getReason() + where + expected);
        } catch (IllegalArgumentException e) {
            throw t.error(key, "invalid sentinel URL '" + KvStoreConfig.Redis.redact(trimmed) + "': " + e.getMessage()
                    + expected);
        }
        return uri;
    }

    /**
     * Parses a redis URL. No message ever contains the raw text, which may hold a password: a URL that
     * does not parse into scheme, host and port is not echoed at all, and one that does is shown redacted.
     */
    private static URI redisUrl(Table t, String key, String text) {
        String expected = " (expected redis[s]://[user:password@]host[:port][/db])";
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            String where = e.getIndex() < 0 ? "" : " at character " + (e.getIndex() + 1);
            throw t.error(key, "invalid URL: " + e.getReason() + where + expected);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty() || uri.getRawAuthority() == null) {
            throw t.error(key, "invalid URL: no valid host" + expected);
        }
        String shown = KvStoreConfig.Redis.redact(uri);
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
            throw t.error(key, "URL '" + shown + "' must use the redis:// or rediss:// scheme");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw t.error(key, "URL '" + shown + "' has an invalid port");
        }
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/") && !path.matches("/\\d{1,2}")) {
            throw t.error(key, "URL '" + shown + "' path must be a database number such as /0");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw t.error(key, "URL '" + shown + "' must not have a query or fragment");
        }
        return uri;
    }

    static Duration duration(Table t, String key, Duration defaultValue, Duration max) {
        Optional<String> text = t.optString(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        Duration d = Durations.parse(text.get()).orElseThrow(() -> t.error(key,
                "invalid duration '" + text.get() + "'; expected a number followed by ms, s, m or h (e.g. \"500ms\", \"30s\")"));
        if (d.isZero()) {
            throw t.error(key, "must be greater than 0");
        }
        if (d.compareTo(max) > 0) {
            throw t.error(key, "must be at most " + format(max));
        }
        return d;
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static KeyValueLimits limits(Table t) {
        t.allowOnly("read_rps", "write_rps", "max_key_bytes", "max_value_bytes");
        long read = range(t, "read_rps", KeyValueLimits.DEFAULT_READ_RPS, 0, 10_000_000);
        long write = range(t, "write_rps", KeyValueLimits.DEFAULT_WRITE_RPS, 0, 10_000_000);
        long key = range(t, "max_key_bytes", KeyValueLimits.DEFAULT_MAX_KEY_BYTES, 1, 1024 * 1024);
        long value = range(t, "max_value_bytes", KeyValueLimits.DEFAULT_MAX_VALUE_BYTES, 1, MAX_VALUE_BYTES);
        return new KeyValueLimits(read, write, (int) key, (int) value);
    }

    static final long MIN_GUEST_MEMORY = 1L << 20;
    static final long MAX_GUEST_MEMORY = 4L << 30; // wasm32's whole address space
    static final long MAX_BODY = 1L << 30;
    static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(10);

    private static GuestLimitsConfig guestLimits(Table t) {
        t.allowOnly("max_memory", "request_timeout", "max_request_body", "max_response_body");
        long memory = size(t, "max_memory", GuestLimitsConfig.DEFAULT_MAX_MEMORY, MIN_GUEST_MEMORY, MAX_GUEST_MEMORY);
        Duration timeout = duration(t, "request_timeout", GuestLimitsConfig.DEFAULT_REQUEST_TIMEOUT, MAX_REQUEST_TIMEOUT);
        long request = size(t, "max_request_body", GuestLimitsConfig.DEFAULT_MAX_REQUEST_BODY, 0, MAX_BODY);
        long response = size(t, "max_response_body", GuestLimitsConfig.DEFAULT_MAX_RESPONSE_BODY, 1, MAX_BODY);
        return new GuestLimitsConfig(memory, timeout, request, response);
    }

    static final long MIN_BUDGET = 1L << 20;
    static final long MAX_BUDGET = 1L << 40;
    static final int MAX_GUEST_SLOTS = 100_000;

    private static ExecutionConfig execution(Table t) {
        t.allowOnly("guest_memory_budget", "body_buffer_budget", "max_concurrent_guests", "max_queued_guests",
                "max_concurrent_per_component");
        return new ExecutionConfig(
                optSize(t, "guest_memory_budget", MIN_BUDGET, MAX_BUDGET),
                optSize(t, "body_buffer_budget", MIN_BUDGET, MAX_BUDGET),
                optCount(t, "max_concurrent_guests", 1),
                optCount(t, "max_queued_guests", 0),
                optCount(t, "max_concurrent_per_component", 1));
    }

    private static java.util.OptionalLong optSize(Table t, String key, long min, long max) {
        return t.raw(key) == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(size(t, key, 0, min, max));
    }

    private static java.util.OptionalInt optCount(Table t, String key, int min) {
        return t.raw(key) == null ? java.util.OptionalInt.empty()
                : java.util.OptionalInt.of((int) range(t, key, 0, min, MAX_GUEST_SLOTS));
    }

    /** A size given as a string with a unit ("128MiB") or as an integer number of bytes. */
    private static long size(Table t, String key, long defaultValue, long min, long max) {
        Object raw = t.raw(key);
        if (raw == null) {
            return defaultValue;
        }
        long bytes;
        if (raw instanceof Long n) {
            bytes = n;
        } else if (raw instanceof String text) {
            bytes = ByteSizes.parse(text).orElseThrow(() -> t.error(key, "invalid size '" + text
                    + "'; expected a number of bytes or a number followed by KiB, MiB or GiB (e.g. \"128MiB\")"));
        } else {
            throw t.error(key, "expected a size such as \"128MiB\", found " + Table.typeName(raw));
        }
        if (bytes < min || bytes > max) {
            throw t.error(key, "must be between " + ByteSizes.format(min) + " and " + ByteSizes.format(max));
        }
        return bytes;
    }

    private static long range(Table t, String key, long defaultValue, long min, long max) {
        long v = t.optLong(key).orElse(defaultValue);
        if (v < min || v > max) {
            throw t.error(key, "must be between " + min + " and " + max);
        }
        return v;
    }
}
