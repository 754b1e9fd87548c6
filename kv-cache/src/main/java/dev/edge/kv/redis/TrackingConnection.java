package dev.edge.kv.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.codec.RedisCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read connection to the regional replica: RESP3 with {@code CLIENT TRACKING ON} (default mode), so
 * the replica pushes an invalidation for every key this connection read once it changes (including
 * changes replicated from the primary). One instance is one connection's life: it never reconnects.
 * When it dies (disconnect, failed probe) the near-cache is flushed and the backend opens a new one,
 * which arms a fresh near-cache epoch only after tracking is on again.
 */
final class TrackingConnection {
    private static final Logger LOG = LoggerFactory.getLogger(TrackingConnection.class);

    private final StatefulRedisConnection<String, byte[]> connection;
    private final NearCache nearCache;
    private final Duration timeout;
    private final Consumer<TrackingConnection> onDeath;
    private final String region;
    private volatile boolean dead;
    private volatile long clientId = -1;
    private volatile String replid;

    private TrackingConnection(StatefulRedisConnection<String, byte[]> connection, NearCache nearCache,
                               Duration timeout, Consumer<TrackingConnection> onDeath, String region) {
        this.connection = connection;
        this.nearCache = nearCache;
        this.timeout = timeout;
        this.onDeath = onDeath;
        this.region = region;
    }

    /**
     * Connects, turns tracking on and arms a new near-cache epoch for this connection.
     *
     * @throws RuntimeException if any step fails (the connection is closed again)
     */
    static TrackingConnection open(RedisClient client, RedisCodec<String, byte[]> codec, NearCache nearCache,
                                   Duration timeout, Consumer<TrackingConnection> onDeath, String region) {
        // Connect first: a server that is still down costs nothing (a live connection elsewhere keeps its cache).
        StatefulRedisConnection<String, byte[]> connection = client.connect(codec);
        long epoch = nearCache.disarm(null); // nothing cached from here until tracking is on
        TrackingConnection tc = new TrackingConnection(connection, nearCache, timeout, onDeath, region);
        try {
            connection.addListener(tc::onPush);
            connection.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                    tc.die("disconnect");
                }
            });
            RedisAsyncCommands<String, byte[]> async = connection.async();
            RedisCalls.await(async.clientTracking(TrackingArgs.Builder.enabled()), timeout, "CLIENT TRACKING ON");
            tc.clientId = RedisCalls.await(async.clientId(), timeout, "CLIENT ID");
            tc.replid = tc.replication().replid();
            if (!tc.dead && nearCache.arm(epoch, tc)) {
                LOG.info("near-cache tracking armed (region {}, client id {}, epoch {})", region, tc.clientId, epoch);
            }
            return tc;
        } catch (RuntimeException e) {
            tc.dead = true;
            connection.closeAsync();
            throw e;
        }
    }

    RedisAsyncCommands<String, byte[]> async() { return connection.async(); }

    boolean isAlive() { return !dead && connection.isOpen(); }

    long clientId() { return clientId; }

    /** {@code INFO replication} over this connection: its reply comes after every push sent before it. */
    ReplicationInfo replication() {
        return ReplicationInfo.parse(RedisCalls.await(connection.async().info("replication"), timeout,
                "INFO replication (tracking connection)"));
    }

    /**
     * Health and full-resync check: a changed replication id means the replica's data set was replaced
     * (full resync or promotion), so cached entries may be stale without a push having announced it.
     */
    ReplicationInfo probe() {
        ReplicationInfo info;
        try {
            info = replication();
        } catch (RuntimeException e) {
            LOG.warn("tracking connection probe failed (region {}): {}; reconnecting", region, e.getMessage());
            die("probe-failed");
            throw e;
        }
        if (!info.replid().equals(replid)) {
            LOG.info("replica replication id changed (region {}): flushing near-cache", region);
            replid = info.replid();
            long epoch = nearCache.disarm("replid-change");
            if (!dead) {
                nearCache.arm(epoch, this);
            }
        }
        return info;
    }

    /** Drops everything cached and re-arms caching on this (still tracking) connection. */
    void flush(String reason) {
        long epoch = nearCache.disarm(reason);
        if (!dead) {
            nearCache.arm(epoch, this);
        }
    }

    void close() {
        dead = true;
        connection.closeAsync();
    }

    private void die(String reason) {
        if (dead) {
            return;
        }
        dead = true;
        nearCache.disarm(reason);
        connection.closeAsync();
        onDeath.accept(this);
    }

    private void onPush(PushMessage message) {
        if (!"invalidate".equals(message.getType())) {
            return;
        }
        List<Object> content = message.getContent();
        Object keys = content.size() > 1 ? content.get(1) : null;
        if (keys == null) {
            // FLUSHALL / FLUSHDB (or a replica emptying its data set): everything may be stale.
            long epoch = nearCache.disarm("invalidate-all");
            if (!dead) {
                nearCache.arm(epoch, this);
            }
            return;
        }
        if (keys instanceof List<?> list) {
            for (Object key : list) {
                String k = decode(key);
                if (k != null) {
                    nearCache.invalidatePushed(k);
                }
            }
        }
    }

    private static String decode(Object key) {
        if (key instanceof ByteBuffer buffer) {
            return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
        }
        if (key instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return key == null ? null : key.toString();
    }
}
