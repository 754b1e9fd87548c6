package dev.edge.kv.redis;

import dev.edge.config.KvStoreConfig;
import dev.edge.config.RedisSentinelUrl;
import dev.edge.kv.KvException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of the Redis tier: the connections to the primary, guarded by a Resilience4j circuit
 * breaker and bulkhead so that a dead or hung primary makes writes and atomics fail fast instead of
 * piling up for a whole {@code commandTimeout} each.
 *
 * <p>With a {@code redis-sentinel://} URL the primary's address comes from Sentinel: {@link #followSentinel()}
 * (called by the backend's prober) asks the sentinels where the primary is and, when a failover moved it,
 * connects to the promoted primary, closes the old connections and closes the breaker. A plain
 * {@code redis://} URL keeps one address; Lettuce reconnects to it by itself.
 *
 * <p>Only outages count as breaker failures: timeouts, lost connections and the replies that say
 * "not a writable primary" ({@code READONLY}, {@code MASTERDOWN}, {@code LOADING}). A server error such as
 * {@code WRONGTYPE} proves the primary is alive and counts as a success. A caller's interrupt (a guest past
 * its deadline) counts as neither: the breaker and bulkhead are shared by every app, and one guest's
 * deadline says nothing about Redis.
 */
final class PrimaryEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryEndpoint.class);
    static final int MAX_CONCURRENT_CALLS = 256;
    static final Duration OPEN_STATE_WAIT = Duration.ofSeconds(1);

    /** Connections to one primary address; replaced as a whole on failover. */
    record Connections(String address, RedisClient client, RedisClient trackingClient,
                       StatefulRedisConnection<String, byte[]> main, StatefulRedisConnection<String, byte[]> durable,
                       CasScript casScript) {
        RedisAsyncCommands<String, byte[]> commands() { return main.async(); }

        /** Writes followed by WAIT use a dedicated connection (WAIT blocks its connection). */
        RedisAsyncCommands<String, byte[]> writer() { return durable != null ? durable.async() : main.async(); }
    }

    /** Builds a Lettuce client for a URI: (uri, client name, protocol, autoReconnect). */
    interface ClientFactory {
        RedisClient create(RedisURI uri, String clientName, ProtocolVersion protocol, boolean autoReconnect);
    }

    private final KvStoreConfig.Redis config;
    private final ClientFactory clients;
    private final SentinelResolver sentinel;
    private final RedisSentinelUrl sentinelUrl;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final Runnable onRecovery;
    private volatile Connections current;
    private volatile boolean closed;

    /**
     * @param onRecovery runs when the breaker closes again after an outage, or the primary moved (failover)
     * @throws KvException if the primary cannot be reached at start
     */
    PrimaryEndpoint(KvStoreConfig.Redis config, ClientFactory clients, SentinelResolver sentinel, Runnable onRecovery) {
        this.config = config;
        this.clients = clients;
        this.sentinel = sentinel;
        this.sentinelUrl = sentinel == null ? null : RedisSentinelUrl.parse(config.url());
        this.onRecovery = onRecovery;
        String name = "edge-kv-primary-" + config.region();
        this.breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10).minimumNumberOfCalls(5).failureRateThreshold(50)
                .waitDurationInOpenState(OPEN_STATE_WAIT).permittedNumberOfCallsInHalfOpenState(1)
                .ignoreException(RedisCalls::isInterruption)
                .recordException(PrimaryEndpoint::isOutage).build());
        this.bulkhead = Bulkhead.of(name, BulkheadConfig.custom().maxConcurrentCalls(MAX_CONCURRENT_CALLS)
                .maxWaitDuration(Duration.ZERO).build());
        breaker.getEventPublisher().onStateTransition(event -> {
            LOG.warn("key-value primary circuit breaker (region {}): {}", config.region(), event.getStateTransition());
            if (event.getStateTransition() == CircuitBreaker.StateTransition.HALF_OPEN_TO_CLOSED) {
                onRecovery.run();
            }
        });
        try {
            this.current = connect(sentinel == null ? config.url().toString() : resolveOrFail());
        } catch (RuntimeException e) {
            if (sentinel != null) {
                sentinel.close();
            }
            throw e;
        }
    }

    private String resolveOrFail() {
        try {
            return sentinel.resolve().toString();
        } catch (RuntimeException e) {
            throw KvException.other("cannot find the Redis primary through " + sentinelUrl + ": " + e.getMessage(), e);
        }
    }

    /** A static URL, or "host:port" of a primary found through Sentinel. */
    private Connections connect(String address) {
        RedisURI uri = sentinelUrl == null ? RedisStoreBackend.parse(config.url()) : sentinelPrimaryUri(address);
        RedisURI trackingUri = sentinelUrl == null ? RedisStoreBackend.parse(config.url()) : sentinelPrimaryUri(address);
        RedisClient client = clients.create(uri, "edge-kv-" + config.region(), ProtocolVersion.RESP2, true);
        RedisClient trackingClient = clients.create(trackingUri, "edge-kv-tracking-" + config.region(),
                ProtocolVersion.RESP3, false);
        try {
            StatefulRedisConnection<String, byte[]> main = client.connect(RedisStoreBackend.CODEC);
            StatefulRedisConnection<String, byte[]> durable = config.waitReplicas() > 0
                    ? client.connect(RedisStoreBackend.CODEC) : null;
            CasScript cas = new CasScript();
            Connections c = new Connections(sentinelUrl == null ? KvStoreConfig.Redis.redact(config.url()) : address,
                    client, trackingClient, main, durable, cas);
            cas.preload(c.writer(), config.atomicTimeout());
            return c;
        } catch (RuntimeException e) {
            shutdown(client, trackingClient);
            throw KvException.other("cannot connect to Redis primary "
                    + (sentinelUrl == null ? KvStoreConfig.Redis.redact(config.url()) : address + " (from " + sentinelUrl + ")")
                    + ": " + e.getMessage(), e);
        }
    }

    private RedisURI sentinelPrimaryUri(String address) {
        int colon = address.lastIndexOf(':');
        RedisURI.Builder b = RedisURI.builder().withHost(address.substring(0, colon))
                .withPort(Integer.parseInt(address.substring(colon + 1)))
                .withDatabase(sentinelUrl.database()).withSsl(sentinelUrl.tls());
        if (sentinelUrl.password().isPresent()) {
            b = sentinelUrl.user().isPresent()
                    ? b.withAuthentication(sentinelUrl.user().get(), sentinelUrl.password().get().toCharArray())
                    : b.withPassword(sentinelUrl.password().get().toCharArray());
        }
        return b.build();
    }

    /** The current connections (probes and diagnostics; not guarded by the breaker). */
    Connections connections() { return current; }

    /** The RESP3 client for a tracking connection on the primary (no replica, or the replica is down). */
    RedisClient trackingClient() { return current.trackingClient(); }

    /**
     * Runs {@code body} against the primary if the breaker and the bulkhead allow it.
     *
     * @throws KvException "key-value primary unavailable" at once, without contacting Redis, while the breaker is open
     */
    <T> T call(String op, Function<Connections, T> body) {
        if (Thread.currentThread().isInterrupted()) {
            throw RedisCalls.interrupted(op, null);
        }
        if (!bulkhead.tryAcquirePermission()) {
            if (Thread.currentThread().isInterrupted()) { // the semaphore wait saw the interrupt
                throw RedisCalls.interrupted(op, null);
            }
            throw new KvException(KvException.Kind.OTHER, "key-value primary busy (region " + config.region() + "): "
                    + MAX_CONCURRENT_CALLS + " calls in flight; " + op + " not attempted");
        }
        try {
            if (!breaker.tryAcquirePermission()) {
                throw new KvException(KvException.Kind.OTHER, "key-value primary unavailable (region " + config.region()
                        + "): circuit open after repeated failures; " + op + " not attempted, retry later");
            }
            long start = System.nanoTime();
            try {
                T result = body.apply(current);
                breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                return result;
            } catch (RuntimeException e) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                throw e;
            }
        } finally {
            bulkhead.onComplete();
        }
    }

    <T> T call(String op, Supplier<T> body) {
        return call(op, c -> body.get());
    }

    CircuitBreaker.State breakerState() { return breaker.getState(); }

    /** The primary's address: host:port through Sentinel, else the (redacted) URL. */
    String address() { return current.address(); }

    /**
     * Asks Sentinel where the primary is and moves there after a failover. No-op without Sentinel.
     * Called from the prober thread only.
     */
    void followSentinel() {
        if (sentinel == null || closed) {
            return;
        }
        String address;
        try {
            address = sentinel.resolve().toString();
        } catch (RuntimeException e) {
            LOG.debug("sentinel lookup failed (region {}): {}", config.region(), e.getMessage());
            return;
        }
        Connections old = current;
        if (address.equals(old.address())) {
            return;
        }
        Connections next;
        try {
            next = connect(address);
        } catch (RuntimeException e) {
            LOG.warn("primary moved to {} (region {}) but connecting failed: {}", address, config.region(), e.getMessage());
            return;
        }
        current = next;
        LOG.warn("key-value primary moved from {} to {} (region {}, Sentinel failover): writes go to the new primary",
                old.address(), address, config.region());
        breaker.reset(); // the failures were the old primary's
        onRecovery.run();
        close(old);
    }

    private static boolean isOutage(Throwable e) {
        if (e instanceof RedisCalls.TimedOut) {
            return true;
        }
        if (!(e instanceof KvException kv)) {
            return false;
        }
        if (kv.getCause() instanceof RedisCalls.TimedOut || kv.getMessage().contains("outcome unknown")) {
            return true; // an atomic that timed out
        }
        for (Throwable c = kv.getCause(); c != null; c = c.getCause()) {
            if (c instanceof RedisCommandExecutionException server) {
                String m = String.valueOf(server.getMessage());
                return m.startsWith("READONLY") || m.startsWith("MASTERDOWN") || m.startsWith("LOADING");
            }
        }
        // No server reply: the connection is down, refused or was lost mid-command.
        return kv.getCause() != null;
    }

    private static void close(Connections c) {
        c.main().closeAsync();
        if (c.durable() != null) {
            c.durable().closeAsync();
        }
        shutdown(c.client(), c.trackingClient());
    }

    private static void shutdown(RedisClient... clients) {
        for (RedisClient client : clients) {
            client.shutdownAsync(0, 2, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        closed = true;
        Connections c = current;
        c.main().closeAsync();
        if (c.durable() != null) {
            c.durable().closeAsync();
        }
        for (RedisClient client : new RedisClient[] {c.client(), c.trackingClient()}) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (sentinel != null) {
            sentinel.close();
        }
    }
}
