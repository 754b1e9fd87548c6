package dev.edge.kv.redis;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.StoreBackend;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The regional Redis tier: reads through a Caffeine near-cache over the regional replica (kept
 * coherent by client-side tracking, see {@link NearCache}), writes and atomics through to the primary.
 * See {@code docs/kv-redis.md} for the key scheme and the consistency guarantees.
 *
 * <p>Connections: one to the primary for writes, atomics and read-your-writes reads; one extra to the
 * primary for writes that must {@code WAIT} for replicas (WAIT blocks its connection); one RESP3
 * tracking connection to the replica (or the primary without a replica) for cached reads. A background
 * prober reconnects the tracking connection, detects replica full resyncs and clears read-your-writes
 * marks once the replica has caught up.
 */
public final class RedisStoreBackend implements StoreBackend {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStoreBackend.class);
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    /** How long a key may stay on the read-your-writes path while the replica does not catch up. */
    static final Duration DIRTY_MAX_AGE = Duration.ofSeconds(60);
    static final long PROBE_INTERVAL_MILLIS = 50;
    static final long IDLE_PROBE_INTERVAL_MILLIS = 1000;

    private final KvStoreConfig.Redis config;
    private final RedisKvMetrics metrics;
    private final NearCache nearCache;
    private final DirtyKeys dirtyKeys = new DirtyKeys(DIRTY_MAX_AGE);
    private final ClientResources resources;
    private final RedisClient primaryClient;
    private final RedisClient readClient;
    private final StatefulRedisConnection<String, byte[]> primary;
    private final StatefulRedisConnection<String, byte[]> durableWrites;
    private final CircuitBreaker replicaBreaker;
    private final ScheduledExecutorService prober;
    private final CasScript casScript;
    private volatile TrackingConnection tracking;
    private volatile boolean closed;
    private long lastProbeNanos;
    private long lastReconnectAttemptNanos;

    public RedisStoreBackend(KvStoreConfig.Redis config) {
        this(config, Metrics.globalRegistry);
    }

    public RedisStoreBackend(KvStoreConfig.Redis config, MeterRegistry registry) {
        this.config = config;
        this.metrics = new RedisKvMetrics(registry, config.region());
        this.nearCache = new NearCache(config.nearCacheMaxEntries(), config.nearCacheMaxTtl(), metrics);
        RedisURI primaryUri = parse(config.url());
        RedisURI readUri = parse(config.replicaUrl().orElse(config.url()));
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        Duration longest = max(config.commandTimeout(), config.atomicTimeout()).plus(config.waitTimeout());
        this.primaryClient = client(primaryUri, "edge-kv-" + config.region(), ProtocolVersion.RESP2, true, longest);
        this.readClient = client(readUri, "edge-kv-tracking-" + config.region(), ProtocolVersion.RESP3, false, longest);
        this.replicaBreaker = CircuitBreaker.of("edge-kv-replica-" + config.region(), CircuitBreakerConfig.custom()
                .slidingWindowSize(20).minimumNumberOfCalls(5).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(2)).build());
        try {
            this.primary = primaryClient.connect(CODEC);
            this.durableWrites = config.waitReplicas() > 0 ? primaryClient.connect(CODEC) : null;
        } catch (RuntimeException e) {
            shutdownClients();
            throw KvException.other("cannot connect to Redis primary " + KvStoreConfig.Redis.redact(config.url())
                    + ": " + e.getMessage(), e);
        }
        this.casScript = new CasScript(writer()); // same connection as a following WAIT
        this.casScript.preload(config.atomicTimeout());
        reconnectTracking();
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edge-kv-redis-prober-" + config.region());
            t.setDaemon(true);
            return t;
        });
        prober.scheduleWithFixedDelay(this::probeSafely, PROBE_INTERVAL_MILLIS, PROBE_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private static RedisURI parse(URI uri) {
        try {
            return RedisURI.create(uri);
        } catch (RuntimeException e) {
            // The parser's message may echo the URL, password included: leave it out.
            throw new KvException(KvException.Kind.OTHER, "invalid Redis URL " + KvStoreConfig.Redis.redact(uri));
        }
    }

    private RedisClient client(RedisURI redisUri, String clientName, ProtocolVersion protocol, boolean autoReconnect,
                               Duration longestBudget) {
        redisUri.setClientName(clientName);
        redisUri.setTimeout(config.commandTimeout());
        RedisClient client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .protocolVersion(protocol)
                .autoReconnect(autoReconnect)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(config.commandTimeout()).build())
                // Backstop only: every call awaits with its own budget and cancels on expiry.
                .timeoutOptions(TimeoutOptions.enabled(longestBudget.multipliedBy(2)))
                .build());
        return client;
    }

    @Override
    public KeyValueStore open(String appName, String label) {
        if (closed) {
            throw KvException.other("redis backend is closed", null);
        }
        return new RedisKeyValueStore(this, new KeyNamespace(appName, label));
    }

    @Override
    public String describe() {
        return "redis primary " + KvStoreConfig.Redis.redact(config.url())
                + config.replicaUrl().map(u -> " replica " + KvStoreConfig.Redis.redact(u)).orElse("")
                + " region " + config.region();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        prober.shutdownNow();
        TrackingConnection tc = tracking;
        if (tc != null) {
            tc.close();
        }
        shutdownClients();
    }

    private void shutdownClients() {
        primaryClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        readClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    // ---- accessors for RedisKeyValueStore ----

    KvStoreConfig.Redis config() { return config; }

    RedisKvMetrics metrics() { return metrics; }

    NearCache nearCache() { return nearCache; }

    DirtyKeys dirtyKeys() { return dirtyKeys; }

    RedisAsyncCommands<String, byte[]> primary() { return primary.async(); }

    /** The connection writes go to: a dedicated one when they are followed by WAIT (which blocks it). */
    RedisAsyncCommands<String, byte[]> writer() {
        return durableWrites != null ? durableWrites.async() : primary.async();
    }

    CasScript casScript() { return casScript; }

    /** The live tracking connection if cached reads may use it now, else null (read from the primary). */
    TrackingConnection readConnection() {
        TrackingConnection tc = tracking;
        if (tc == null || !tc.isAlive() || !replicaBreaker.tryAcquirePermission()) {
            return null;
        }
        return tc;
    }

    void readSucceeded(long startNanos) {
        replicaBreaker.onSuccess(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    void readFailed(long startNanos, Throwable error) {
        replicaBreaker.onError(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS, error);
    }

    // ---- diagnostics (metrics dashboards and tests) ----

    /** Values currently held by the near-cache (placeholders excluded). */
    public long nearCacheSize() { return nearCache.size(); }

    /** Whether the near-cache currently holds a value (or a cached absence) for {@code key} of a store. */
    public boolean nearCacheContains(String appName, String label, String key) {
        return nearCache.containsValue(new KeyNamespace(appName, label).redisKey(key));
    }

    /** Whether cached reads are enabled right now (tracking connection up and armed). */
    public boolean trackingArmed() {
        TrackingConnection tc = tracking;
        return tc != null && tc.isAlive() && nearCache.isArmed();
    }

    /** The Redis {@code CLIENT ID} of the tracking connection, or -1 while there is none. */
    public long trackingClientId() {
        TrackingConnection tc = tracking;
        return tc != null && tc.isAlive() ? tc.clientId() : -1;
    }

    /** Number of keys whose reads currently go to the primary for read-your-writes. */
    public int dirtyKeyCount() { return dirtyKeys.size(); }

    // ---- background work ----

    private void reconnectTracking() {
        if (closed) {
            return;
        }
        lastReconnectAttemptNanos = System.nanoTime();
        try {
            TrackingConnection tc = TrackingConnection.open(readClient, CODEC, nearCache, config.commandTimeout(),
                    this::trackingDied, config.region());
            tracking = tc;
            if (closed) {
                tc.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot open tracking connection to {} (region {}): {}; reads go to the primary",
                    KvStoreConfig.Redis.redact(config.replicaUrl().orElse(config.url())), config.region(),
                    e.getMessage());
        }
    }

    private void trackingDied(TrackingConnection tc) {
        LOG.info("tracking connection lost (region {}), near-cache flushed", config.region());
    }

    private void probeSafely() {
        try {
            probe();
        } catch (RuntimeException e) {
            LOG.debug("probe failed (region {}): {}", config.region(), e.toString());
        }
    }

    private void probe() {
        long now = System.nanoTime();
        TrackingConnection tc = tracking;
        if (tc == null || !tc.isAlive()) {
            if (now - lastReconnectAttemptNanos >= TimeUnit.MILLISECONDS.toNanos(250)) {
                reconnectTracking();
            }
            return;
        }
        dirtyKeys.expireOld();
        if (dirtyKeys.isEmpty() && now - lastProbeNanos < TimeUnit.MILLISECONDS.toNanos(IDLE_PROBE_INTERVAL_MILLIS)) {
            return;
        }
        lastProbeNanos = now;
        // Order matters (see DirtyKeys): sequence snapshot, then the primary's offset, then the replica's.
        long snapshot = dirtyKeys.snapshot();
        ReplicationInfo primaryInfo = null;
        if (!dirtyKeys.isEmpty()) {
            try {
                primaryInfo = ReplicationInfo.parse(RedisCalls.awaitKv(primary.async().info("replication"),
                        config.commandTimeout(), "INFO replication (primary)"));
            } catch (RuntimeException e) {
                LOG.debug("primary offset probe failed (region {}): {}", config.region(), e.getMessage());
            }
        }
        ReplicationInfo replicaInfo = tc.probe(); // also the health and full-resync check
        if (primaryInfo != null && replicaInfo.hasCaughtUpWith(primaryInfo)) {
            dirtyKeys.clearUpTo(snapshot);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
