package dev.edge.kv.redis;

import dev.edge.config.KvStoreConfig;
import dev.edge.config.RedisSentinelUrl;
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
import io.lettuce.core.resource.Delay;
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
 * <p>Connections: the primary's ({@link PrimaryEndpoint}: writes, atomics, read-your-writes reads, behind a
 * circuit breaker, following Sentinel failovers); one RESP3 tracking connection for cached reads, to the
 * replica, or to the primary when there is no replica or the replica is down (the near-cache stays
 * coherent either way: it only ever caches what its tracking connection read). A background prober
 * reconnects the tracking connection (back to the replica once it answers again), follows Sentinel,
 * detects replica full resyncs and clears read-your-writes marks once the replica has caught up.
 * See {@code docs/reliability.md} for the failure behaviour.
 */
public final class RedisStoreBackend implements StoreBackend {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStoreBackend.class);
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    /** How long a key may stay on the read-your-writes path while the replica does not catch up. */
    static final Duration DIRTY_MAX_AGE = Duration.ofSeconds(60);
    static final long PROBE_INTERVAL_MILLIS = 50;
    static final long IDLE_PROBE_INTERVAL_MILLIS = 1000;
    static final long SENTINEL_POLL_MILLIS = 200;
    /** While tracking runs on the primary because the replica is down, how often the replica is retried. */
    static final long REPLICA_RETRY_MILLIS = 1000;

    private final KvStoreConfig.Redis config;
    private final RedisKvMetrics metrics;
    private final NearCache nearCache;
    private final DirtyKeys dirtyKeys = new DirtyKeys(DIRTY_MAX_AGE);
    /** Stores are opened per request: their key prefixes (escaped app name and label) are made once. */
    private final java.util.concurrent.ConcurrentMap<StoreId, KeyNamespace> namespaces =
            new java.util.concurrent.ConcurrentHashMap<>();

    private record StoreId(String appName, String label) {}
    private final ClientResources resources;
    private final Duration longestBudget;
    private final RedisClient replicaClient; // tracking connections to the replica; null without replica_url
    private final RedisClient replicaPlainClient; // uncached reads while there is no tracking connection
    private volatile StatefulRedisConnection<String, byte[]> replicaPlain;
    private long lastPlainAttemptNanos;
    private final PrimaryEndpoint primary;
    private final CircuitBreaker replicaBreaker;
    private final ScheduledExecutorService prober;
    private volatile TrackingConnection tracking;
    private volatile boolean trackingOnPrimary;
    private volatile boolean closed;
    /** What the last probe of the replica saw (for the meters): its link to the primary, and how far behind it was. */
    private volatile boolean replicaLinkUp = true;
    private volatile long replicaLagBytes;
    private long lastProbeNanos;
    private long lastReconnectAttemptNanos;
    private long lastReplicaAttemptNanos;
    private long lastSentinelPollNanos;

    public RedisStoreBackend(KvStoreConfig.Redis config) {
        this(config, Metrics.globalRegistry);
    }

    public RedisStoreBackend(KvStoreConfig.Redis config, MeterRegistry registry) {
        this.config = config;
        this.metrics = new RedisKvMetrics(registry, config.region());
        this.nearCache = new NearCache(config.nearCacheMaxEntries(), config.nearCacheMaxTtl(), metrics);
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                // Lettuce's default backs off to 30 s; a primary that is back (or promoted) should be used at once.
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofMillis(500), 2, TimeUnit.MILLISECONDS))
                .build();
        this.longestBudget = max(config.commandTimeout(), config.atomicTimeout()).plus(config.waitTimeout());
        this.replicaBreaker = CircuitBreaker.of("edge-kv-replica-" + config.region(), CircuitBreakerConfig.custom()
                .slidingWindowSize(20).minimumNumberOfCalls(5).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .ignoreException(RedisCalls::isInterruption) // a guest's deadline, not the replica's fault
                .build());
        RedisClient replica = null;
        RedisClient replicaPlainClient = null;
        PrimaryEndpoint endpoint;
        try {
            replica = config.replicaUrl()
                    .map(u -> client(parse(u), "edge-kv-tracking-" + config.region(), ProtocolVersion.RESP3, false))
                    .orElse(null);
            // Reconnects by itself and queues reads meanwhile (each read still has its own budget): Sentinel
            // kills every client connection of a replica it reconfigures, and those reads should just wait.
            replicaPlainClient = config.replicaUrl()
                    .map(u -> client(parse(u), "edge-kv-reads-" + config.region(), ProtocolVersion.RESP2, true,
                            ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS))
                    .orElse(null);
            SentinelResolver sentinel = RedisSentinelUrl.isSentinel(config.url())
                    ? new SentinelResolver(RedisSentinelUrl.parse(config.url()), resources, config.commandTimeout()) : null;
            endpoint = new PrimaryEndpoint(config, this::client, sentinel, this::primaryRecovered);
        } catch (RuntimeException e) {
            for (RedisClient c : new RedisClient[] {replica, replicaPlainClient}) {
                if (c != null) {
                    c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                }
            }
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw e;
        }
        this.replicaClient = replica;
        this.replicaPlainClient = replicaPlainClient;
        this.primary = endpoint;
        connectReplicaPlain();
        metrics.primaryBreakerGauge(() -> primary.breakerState());
        metrics.connectionGauge("primary", () -> {
            PrimaryEndpoint.Connections c = primary.connections();
            return c != null && c.main().isOpen();
        });
        metrics.connectionGauge("tracking", () -> {
            TrackingConnection tc = tracking;
            return tc != null && tc.isAlive();
        });
        if (replicaPlainClient != null) {
            metrics.connectionGauge("replica", () -> {
                StatefulRedisConnection<String, byte[]> plain = replicaPlain;
                return plain != null && plain.isOpen();
            });
            metrics.replicaGauges(() -> replicaLinkUp, () -> replicaLagBytes);
        }
        reconnectTracking();
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edge-kv-redis-prober-" + config.region());
            t.setDaemon(true);
            return t;
        });
        prober.scheduleWithFixedDelay(this::probeSafely, PROBE_INTERVAL_MILLIS, PROBE_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    static RedisURI parse(URI uri) {
        try {
            return RedisURI.create(uri);
        } catch (RuntimeException e) {
            // The parser's message may echo the URL, password included: leave it out.
            throw new KvException(KvException.Kind.OTHER, "invalid Redis URL " + KvStoreConfig.Redis.redact(uri));
        }
    }

    private RedisClient client(RedisURI redisUri, String clientName, ProtocolVersion protocol, boolean autoReconnect) {
        return client(redisUri, clientName, protocol, autoReconnect, ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    private RedisClient client(RedisURI redisUri, String clientName, ProtocolVersion protocol, boolean autoReconnect,
                               ClientOptions.DisconnectedBehavior whenDisconnected) {
        redisUri.setClientName(clientName);
        redisUri.setTimeout(config.commandTimeout());
        RedisClient client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .protocolVersion(protocol)
                .autoReconnect(autoReconnect)
                .disconnectedBehavior(whenDisconnected)
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
        return new RedisKeyValueStore(this, namespaces.computeIfAbsent(new StoreId(appName, label),
                id -> new KeyNamespace(id.appName(), id.label())));
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
        try {
            prober.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TrackingConnection tc = tracking;
        if (tc != null) {
            tc.close();
        }
        primary.close();
        StatefulRedisConnection<String, byte[]> plain = replicaPlain;
        if (plain != null) {
            plain.closeAsync();
        }
        for (RedisClient c : new RedisClient[] {replicaClient, replicaPlainClient}) {
            if (c != null) {
                c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    // ---- accessors for RedisKeyValueStore ----

    KvStoreConfig.Redis config() { return config; }

    RedisKvMetrics metrics() { return metrics; }

    NearCache nearCache() { return nearCache; }

    DirtyKeys dirtyKeys() { return dirtyKeys; }

    /** The primary, behind its circuit breaker: every write, atomic and primary read goes through here. */
    PrimaryEndpoint primary() { return primary; }

    /** The live tracking connection if cached reads may use it now, else null (read from the primary). */
    TrackingConnection readConnection() {
        TrackingConnection tc = tracking;
        if (tc == null || !tc.isAlive()) {
            return null;
        }
        // The replica breaker guards the replica; a tracking connection on the primary does not need it.
        if (!trackingOnPrimary && !replicaBreaker.tryAcquirePermission()) {
            return null;
        }
        return tc;
    }

    /**
     * The replica for uncached reads while there is no tracking connection, or null (no replica, not
     * connected, or its breaker is open): then reads go to the primary.
     */
    RedisAsyncCommands<String, byte[]> uncachedReplica() {
        StatefulRedisConnection<String, byte[]> plain = replicaPlain;
        if (plain == null) {
            return null;
        }
        // Disconnected: reads would queue until it is back. Worth it only when the primary cannot serve
        // them either (e.g. Sentinel just killed the replica's clients while failing over the primary).
        if (!plain.isOpen() && primary.breakerState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED) {
            return null;
        }
        if (!replicaBreaker.tryAcquirePermission()) {
            return null;
        }
        return plain.async();
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

    /** Whether the tracking connection currently runs on the primary although a replica is configured. */
    public boolean trackingOnPrimaryFallback() {
        TrackingConnection tc = tracking;
        return replicaClient != null && trackingOnPrimary && tc != null && tc.isAlive();
    }

    /** The Redis {@code CLIENT ID} of the tracking connection, or -1 while there is none. */
    public long trackingClientId() {
        TrackingConnection tc = tracking;
        return tc != null && tc.isAlive() ? tc.clientId() : -1;
    }

    /** Number of keys whose reads currently go to the primary for read-your-writes. */
    public int dirtyKeyCount() { return dirtyKeys.size(); }

    /** The primary's circuit breaker state: {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN}. */
    public String primaryBreakerState() { return primary.breakerState().name(); }

    /** The replica read breaker's state: CLOSED, OPEN or HALF_OPEN (diagnostics and tests). */
    public String replicaBreakerState() { return replicaBreaker.getState().name(); }

    /** Where writes go now: {@code host:port} found through Sentinel, or the configured (redacted) URL. */
    public String primaryAddress() { return primary.address(); }

    // ---- background work ----

    /** The plain replica connection; Lettuce reconnects it by itself once it exists. */
    private void connectReplicaPlain() {
        if (replicaPlainClient == null || replicaPlain != null || closed) {
            return;
        }
        lastPlainAttemptNanos = System.nanoTime();
        try {
            replicaPlain = replicaPlainClient.connect(CODEC);
        } catch (RuntimeException e) {
            LOG.debug("replica read connection not available yet (region {}): {}", config.region(), e.getMessage());
        }
    }

    /** Opens a tracking connection: on the replica if there is one and it answers, else on the primary. */
    private void reconnectTracking() {
        if (closed) {
            return;
        }
        lastReconnectAttemptNanos = System.nanoTime();
        if (replicaClient != null) {
            lastReplicaAttemptNanos = lastReconnectAttemptNanos;
            try {
                install(TrackingConnection.open(replicaClient, CODEC, nearCache, config.commandTimeout(),
                        this::trackingDied, config.region()), false);
                return;
            } catch (RuntimeException e) {
                LOG.warn("cannot open tracking connection to replica {} (region {}): {}; tracking the primary instead",
                        KvStoreConfig.Redis.redact(config.replicaUrl().get()), config.region(), e.getMessage());
            }
        }
        try {
            install(TrackingConnection.open(primary.trackingClient(), CODEC, nearCache, config.commandTimeout(),
                    this::trackingDied, config.region()), true);
        } catch (RuntimeException e) {
            LOG.warn("cannot open tracking connection to the primary {} (region {}): {}; reads go to the primary uncached",
                    primary.address(), config.region(), e.getMessage());
        }
    }

    private void install(TrackingConnection tc, boolean onPrimary) {
        TrackingConnection old = tracking;
        tracking = tc;
        trackingOnPrimary = onPrimary;
        if (old != null && old != tc) {
            old.close();
        }
        if (closed) {
            tc.close();
        }
    }

    private void trackingDied(TrackingConnection tc) {
        LOG.info("tracking connection lost (region {}), near-cache flushed", config.region());
    }

    /** The primary is back (breaker closed) or moved (failover): nothing cached during the outage survives. */
    private void primaryRecovered() {
        TrackingConnection tc = tracking;
        if (tc != null) {
            tc.flush("primary-recovered");
        } else {
            nearCache.disarm("primary-recovered");
        }
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
        if (now - lastSentinelPollNanos >= TimeUnit.MILLISECONDS.toNanos(SENTINEL_POLL_MILLIS)) {
            lastSentinelPollNanos = now;
            primary.followSentinel();
        }
        if (replicaPlain == null && now - lastPlainAttemptNanos >= TimeUnit.MILLISECONDS.toNanos(250)) {
            connectReplicaPlain();
        }
        TrackingConnection tc = tracking;
        if (tc == null || !tc.isAlive()) {
            if (now - lastReconnectAttemptNanos >= TimeUnit.MILLISECONDS.toNanos(250)) {
                reconnectTracking();
            }
            return;
        }
        if (trackingOnPrimary && replicaClient != null
                && now - lastReplicaAttemptNanos >= TimeUnit.MILLISECONDS.toNanos(REPLICA_RETRY_MILLIS)) {
            returnToReplica();
            tc = tracking;
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
                primaryInfo = ReplicationInfo.parse(RedisCalls.awaitKv(primary.connections().commands().info("replication"),
                        config.commandTimeout(), "INFO replication (primary)"));
            } catch (RuntimeException e) {
                LOG.debug("primary offset probe failed (region {}): {}", config.region(), e.getMessage());
            }
        }
        ReplicationInfo replicaInfo = tc.probe(); // also the health and full-resync check
        if (!trackingOnPrimary && replicaInfo.replica()) {
            replicaLinkUp = replicaInfo.linkUp();
            if (primaryInfo != null && primaryInfo.replid().equals(replicaInfo.replid())) {
                replicaLagBytes = Math.max(0, primaryInfo.offset() - replicaInfo.offset());
            }
        }
        if (primaryInfo != null && replicaInfo.hasCaughtUpWith(primaryInfo)) {
            dirtyKeys.clearUpTo(snapshot);
        }
    }

    /** Tracking ran on the primary while the replica was down: move back once the replica answers. */
    private void returnToReplica() {
        lastReplicaAttemptNanos = System.nanoTime();
        try {
            install(TrackingConnection.open(replicaClient, CODEC, nearCache, config.commandTimeout(),
                    this::trackingDied, config.region()), false);
            LOG.info("replica {} is back (region {}): cached reads go to it again",
                    KvStoreConfig.Redis.redact(config.replicaUrl().get()), config.region());
        } catch (RuntimeException e) {
            LOG.debug("replica still unavailable (region {}): {}", config.region(), e.getMessage());
            // TrackingConnection.open disarmed the cache before failing: re-arm on the primary connection.
            TrackingConnection tc = tracking;
            if (tc != null && tc.isAlive()) {
                tc.flush(null);
            }
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
