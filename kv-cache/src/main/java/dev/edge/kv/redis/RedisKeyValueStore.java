package dev.edge.kv.redis;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.KeyOrder;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One application's store on the Redis tier. Reads: read-your-writes marks first (primary), then the
 * near-cache, then the regional replica over the tracking connection (falling back to the primary).
 * Writes: write-through to the primary, acknowledged only once the primary (and, if configured,
 * {@code WAIT} replicas) acknowledged them.
 *
 * <p>Implements the SPI's edge extension {@link #setWithTtl} (Redis {@code SET ... PX}).
 */
public final class RedisKeyValueStore implements KeyValueStore {
    private static final int MAX_SCAN_ROUNDS_PER_PAGE = 64;

    private final RedisStoreBackend backend;
    private final KeyNamespace namespace;
    private final KvStoreConfig.Redis config;
    private final RedisKvMetrics metrics;
    private final NearCache nearCache;
    private final DirtyKeys dirty;

    RedisKeyValueStore(RedisStoreBackend backend, KeyNamespace namespace) {
        this.backend = backend;
        this.namespace = namespace;
        this.config = backend.config();
        this.metrics = backend.metrics();
        this.nearCache = backend.nearCache();
        this.dirty = backend.dirtyKeys();
    }

    // ---- reads ----

    @Override
    public Optional<byte[]> get(String key) {
        String rk = namespace.redisKey(key);
        long start = System.nanoTime();
        if (dirty.isDirty(rk)) {
            return Optional.ofNullable(primaryGet(rk, start));
        }
        Optional<byte[]> cached = nearCache.lookup(rk);
        if (cached != null) {
            metrics.recordNearCacheGet(start);
            return cached;
        }
        TrackingConnection tc = backend.readConnection();
        if (tc == null) {
            return Optional.ofNullable(uncachedGet(rk, start));
        }
        NearCache.Ticket ticket = nearCache.reserve(rk, tc);
        byte[] value;
        try {
            value = RedisCalls.await(tc.async().get(rk), config.commandTimeout(), "GET (replica)");
            backend.readSucceeded(start);
        } catch (RuntimeException e) {
            nearCache.abandon(ticket);
            backend.readFailed(start, e);
            return Optional.ofNullable(primaryGet(rk, System.nanoTime()));
        }
        install(ticket, rk, value);
        metrics.recordOp("get", "replica", "ok", start);
        return Optional.ofNullable(value);
    }

    /** A near-cache hit; null on a miss or a dirty key (both need Redis). A miss is not counted: get() will. */
    @Override
    public Optional<byte[]> getWithoutBlocking(String key) {
        String rk = namespace.redisKey(key);
        long start = System.nanoTime();
        if (dirty.isDirty(rk)) {
            return null;
        }
        Optional<byte[]> cached = nearCache.peek(rk);
        if (cached != null) {
            metrics.recordNearCacheGet(start);
        }
        return cached;
    }

    /** No tracking connection right now: read the replica without caching, else the primary. */
    private byte[] uncachedGet(String rk, long start) {
        RedisAsyncCommands<String, byte[]> replica = backend.uncachedReplica();
        if (replica != null) {
            try {
                byte[] value = RedisCalls.await(replica.get(rk), config.commandTimeout(), "GET (replica, uncached)");
                backend.readSucceeded(start);
                metrics.recordOp("get", "replica", "ok", start);
                return value;
            } catch (RuntimeException e) {
                backend.readFailed(start, e);
            }
        }
        return primaryGet(rk, System.nanoTime());
    }

    private byte[] primaryGet(String rk, long start) {
        return timedOp("get", "primary", start, () -> backend.primary().call("get",
                c -> RedisCalls.awaitKv(c.commands().get(rk), config.commandTimeout(), "GET (primary)")));
    }

    /** Caches a replica reply unless a local write made the key dirty meanwhile (the reply may predate it). */
    private void install(NearCache.Ticket ticket, String rk, byte[] value) {
        if (ticket == null) {
            return;
        }
        if (dirty.isDirty(rk)) {
            nearCache.abandon(ticket);
        } else {
            nearCache.complete(ticket, value);
        }
    }

    @Override
    public boolean exists(String key) {
        return get(key).isPresent();
    }

    @Override
    public Map<String, byte[]> getMany(List<String> keys) {
        long start = System.nanoTime();
        Map<String, byte[]> found = new LinkedHashMap<>();
        List<String> fromPrimary = new ArrayList<>();
        List<String> fromReplica = new ArrayList<>();
        for (String key : new LinkedHashSet<>(keys)) {
            String rk = namespace.redisKey(key);
            if (dirty.isDirty(rk)) {
                fromPrimary.add(rk);
                continue;
            }
            Optional<byte[]> cached = nearCache.lookup(rk);
            if (cached == null) {
                fromReplica.add(rk);
            } else {
                cached.ifPresent(v -> found.put(key, v));
            }
        }
        if (!fromReplica.isEmpty()) {
            TrackingConnection tc = backend.readConnection();
            if (tc == null) {
                for (String rk : fromReplica) { // rare (no tracking connection): key by key
                    byte[] value = uncachedGet(rk, System.nanoTime());
                    if (value != null) {
                        found.put(namespace.userKey(rk), value);
                    }
                }
            } else {
                List<NearCache.Ticket> tickets = new ArrayList<>(fromReplica.size());
                for (String rk : fromReplica) {
                    tickets.add(nearCache.reserve(rk, tc));
                }
                try {
                    List<KeyValue<String, byte[]>> values = RedisCalls.await(
                            tc.async().mget(fromReplica.toArray(String[]::new)), config.commandTimeout(),
                            "MGET (replica)");
                    backend.readSucceeded(start);
                    for (int i = 0; i < values.size(); i++) {
                        KeyValue<String, byte[]> kv = values.get(i);
                        byte[] value = kv.hasValue() ? kv.getValue() : null;
                        install(tickets.get(i), fromReplica.get(i), value);
                        if (value != null) {
                            found.put(namespace.userKey(fromReplica.get(i)), value);
                        }
                    }
                } catch (RuntimeException e) {
                    tickets.forEach(nearCache::abandon);
                    backend.readFailed(start, e);
                    fromPrimary.addAll(fromReplica);
                }
            }
        }
        if (!fromPrimary.isEmpty()) {
            List<KeyValue<String, byte[]>> values = timedOp("get-many", "primary", System.nanoTime(),
                    () -> backend.primary().call("get-many", c -> RedisCalls.awaitKv(
                            c.commands().mget(fromPrimary.toArray(String[]::new)), config.commandTimeout(),
                            "MGET (primary)")));
            for (KeyValue<String, byte[]> kv : values) {
                if (kv.hasValue()) {
                    found.put(namespace.userKey(kv.getKey()), kv.getValue());
                }
            }
        }
        metrics.recordOp("get-many", "mixed", "ok", start);
        // Keep the caller's order.
        Map<String, byte[]> ordered = new LinkedHashMap<>();
        for (String key : keys) {
            byte[] v = found.get(key);
            if (v != null) {
                ordered.put(key, v);
            }
        }
        return ordered;
    }

    /**
     * Key listings run SCAN on the primary, never KEYS: a listing then includes every acknowledged write
     * (read-your-writes) and cursors stay valid across pages (a SCAN cursor is only meaningful on the
     * server that issued it).
     */
    @Override
    public List<String> getKeys() {
        long start = System.nanoTime();
        Set<String> keys = new LinkedHashSet<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        ScanArgs args = ScanArgs.Builder.matches(namespace.matchPattern("")).limit(1000);
        do {
            ScanCursor current = cursor;
            KeyScanCursor<String> page = backend.primary().call("get-keys", c -> RedisCalls.awaitKv(
                    c.commands().scan(current, args), config.commandTimeout(), "SCAN"));
            for (String rk : page.getKeys()) {
                String key = namespace.userKey(rk);
                if (key != null) {
                    keys.add(key);
                }
            }
            cursor = page;
        } while (!cursor.isFinished());
        metrics.recordOp("get-keys", "primary", "ok", start);
        List<String> sorted = new ArrayList<>(keys);
        sorted.sort(KeyOrder.CODE_POINT);
        return sorted;
    }

    @Override
    public KeyPage listKeys(String prefix, String cursor, int limit) {
        if (limit <= 0) {
            throw new KvException(KvException.Kind.OTHER, "list-keys limit must be positive");
        }
        long start = System.nanoTime();
        String keyPrefix = prefix == null ? "" : prefix;
        ScanToken token = ScanToken.parse(cursor);
        Set<String> page = new LinkedHashSet<>();
        List<String> overflow = new ArrayList<>();
        for (String key : token.pending()) {
            if (key.startsWith(keyPrefix)) { // a cursor replayed with another prefix
                (page.size() < limit ? page : overflow).add(key);
            }
        }
        ScanArgs args = ScanArgs.Builder.matches(namespace.matchPattern(keyPrefix)).limit(Math.max(limit, 10));
        String scanCursor = token.scanCursor();
        int rounds = 0;
        boolean finished = token.scanFinished() && cursor != null;
        while (!finished && overflow.isEmpty() && page.size() < limit && rounds++ < MAX_SCAN_ROUNDS_PER_PAGE) {
            String from = scanCursor;
            KeyScanCursor<String> batch = backend.primary().call("list-keys", c -> RedisCalls.awaitKv(
                    c.commands().scan(ScanCursor.of(from), args), config.commandTimeout(), "SCAN"));
            for (String rk : batch.getKeys()) {
                String key = namespace.userKey(rk);
                if (key == null || !key.startsWith(keyPrefix) || page.contains(key) || overflow.contains(key)) {
                    continue; // another store, or a duplicate within this page
                }
                (page.size() < limit ? page : overflow).add(key);
            }
            scanCursor = batch.getCursor();
            finished = batch.isFinished();
        }
        metrics.recordOp("list-keys", "primary", "ok", start);
        String next = finished && overflow.isEmpty() ? null : new ScanToken(finished ? "0" : scanCursor, overflow).format();
        List<String> sorted = new ArrayList<>(page); // SCAN has no order across pages; within one, code points
        sorted.sort(KeyOrder.CODE_POINT);
        return new KeyPage(sorted, next);
    }

    // ---- writes ----

    @Override
    public void set(String key, byte[] value) {
        write("set", List.of(namespace.redisKey(key)), w -> w.set(namespace.redisKey(key), value));
    }

    /**
     * Edge extension: upsert with a time to live (Redis {@code SET ... PX}). A later {@link #set} without
     * TTL makes the key persistent again.
     */
    @Override
    public void setWithTtl(String key, byte[] value, Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new KvException(KvException.Kind.OTHER, "ttl must be positive");
        }
        long millis = Math.max(1, ttl.toMillis());
        write("set-ttl", List.of(namespace.redisKey(key)),
                w -> w.set(namespace.redisKey(key), value, SetArgs.Builder.px(millis)));
    }

    @Override
    public void delete(String key) {
        write("delete", List.of(namespace.redisKey(key)), w -> w.del(namespace.redisKey(key)));
    }

    @Override
    public void setMany(Map<String, byte[]> entries) {
        if (entries.isEmpty()) {
            return;
        }
        Map<String, byte[]> redisEntries = new HashMap<>();
        entries.forEach((k, v) -> redisEntries.put(namespace.redisKey(k), v));
        write("set-many", redisEntries.keySet(), w -> w.mset(redisEntries));
    }

    @Override
    public void deleteMany(List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        List<String> rks = keys.stream().distinct().map(namespace::redisKey).toList();
        write("delete-many", rks, w -> w.del(rks.toArray(String[]::new)));
    }

    /**
     * Write-through: marks the keys dirty and drops them locally first, then waits for the primary. While
     * the primary's breaker is open the write fails at once, before anything is marked or sent.
     */
    private void write(String op, Collection<String> rks, java.util.function.Function<RedisAsyncCommands<String, byte[]>,
            RedisFuture<?>> command) {
        backend.primary().call(op, c -> {
            writeThrough(op, rks, c.writer(), command);
            return null;
        });
    }

    private void writeThrough(String op, Collection<String> rks, RedisAsyncCommands<String, byte[]> writer,
                              java.util.function.Function<RedisAsyncCommands<String, byte[]>, RedisFuture<?>> command) {
        long start = System.nanoTime();
        rks.forEach(dirty::beginWrite);
        rks.forEach(nearCache::invalidate);
        String outcome = "error";
        try {
            RedisFuture<?> reply = command.apply(writer);
            RedisFuture<Long> replicas = config.waitReplicas() > 0
                    ? writer.waitForReplication(config.waitReplicas(), config.waitTimeout().toMillis()) : null;
            RedisCalls.awaitKv(reply, config.commandTimeout(), op.toUpperCase() + " (primary)");
            if (replicas != null) {
                awaitReplicas(replicas, op);
            }
            outcome = "ok";
        } finally {
            rks.forEach(dirty::endWrite);
            metrics.recordOp(op, "primary", outcome, start);
        }
    }

    private void awaitReplicas(RedisFuture<Long> replicas, String op) {
        Long acked = RedisCalls.awaitKv(replicas, config.commandTimeout().plus(config.waitTimeout()), "WAIT");
        if (acked == null || acked < config.waitReplicas()) {
            // The primary applied the write, but the requested durability was not reached: report failure.
            throw new KvException(KvException.Kind.OTHER, op + " applied on the primary but acknowledged by only "
                    + acked + " of " + config.waitReplicas() + " replicas within " + config.waitTimeout().toMillis()
                    + " ms");
        }
    }

    // ---- atomics ----

    /**
     * {@code INCRBY} on the primary within {@code atomicTimeout}. A timed-out increment is never retried:
     * it may still have been applied, and a retry could apply it twice. It fails with
     * {@link KvException.Kind#OTHER} ("outcome unknown"); the caller decides.
     */
    @Override
    public long increment(String key, long delta) {
        String rk = namespace.redisKey(key);
        return atomic("increment", rk, w -> RedisCalls.await(w.writer().incrby(rk, delta),
                config.atomicTimeout(), "INCRBY"));
    }

    /**
     * One Lua script on the primary within {@code atomicTimeout}; on timeout the outcome is unknown and
     * the call fails with {@link KvException.Kind#OTHER} without retry (a re-run could report
     * {@code false} for a swap that did happen).
     */
    @Override
    public boolean compareAndSwap(String key, byte[] expected, byte[] value) {
        String rk = namespace.redisKey(key);
        return atomic("compare-and-swap", rk,
                w -> w.casScript().swap(w.writer(), rk, expected, value, config.atomicTimeout()));
    }

    /** Atomics drop the key locally and mark it dirty, so this node never serves it stale afterwards. */
    private <T> T atomic(String op, String rk, java.util.function.Function<PrimaryEndpoint.Connections, T> call) {
        return backend.primary().call(op, c -> atomicOn(c, op, rk, call));
    }

    private <T> T atomicOn(PrimaryEndpoint.Connections c, String op, String rk,
                           java.util.function.Function<PrimaryEndpoint.Connections, T> call) {
        long start = System.nanoTime();
        dirty.beginWrite(rk);
        nearCache.invalidate(rk);
        String outcome = "error";
        try {
            T result = call.apply(c);
            if (config.waitReplicas() > 0) {
                awaitReplicas(c.writer().waitForReplication(config.waitReplicas(),
                        config.waitTimeout().toMillis()), op);
            }
            outcome = "ok";
            return result;
        } catch (RedisCalls.TimedOut e) {
            outcome = "timeout";
            throw new KvException(KvException.Kind.OTHER, op + " on '" + namespace.userKey(rk) + "': "
                    + e.getMessage() + "; outcome unknown, not retried", e);
        } finally {
            dirty.endWrite(rk);
            metrics.recordAtomic(op, outcome, start);
        }
    }

    private <T> T timedOp(String op, String route, long start, java.util.function.Supplier<T> call) {
        String outcome = "error";
        try {
            T result = call.get();
            outcome = "ok";
            return result;
        } finally {
            metrics.recordOp(op, route, outcome, start);
        }
    }
}
