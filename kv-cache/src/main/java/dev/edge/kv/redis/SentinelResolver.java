package dev.edge.kv.redis;

import dev.edge.config.RedisSentinelUrl;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Redis Sentinel where the primary of a master name is ({@code SENTINEL get-master-addr-by-name}).
 * Keeps one connection to the sentinel that answered last; when it fails, the next sentinel of the list
 * is tried. Used only from the backend's prober thread (and once at start), so it is not thread-safe.
 */
final class SentinelResolver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SentinelResolver.class);

    private final RedisSentinelUrl url;
    private final RedisClient client;
    private final Duration timeout;
    private StatefulRedisSentinelConnection<String, String> connection;
    private int current;

    SentinelResolver(RedisSentinelUrl url, ClientResources resources, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder().autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build()).build());
    }

    /** The primary's address as the first answering sentinel knows it. */
    RedisSentinelUrl.HostPort resolve() {
        List<RedisSentinelUrl.HostPort> sentinels = url.sentinels();
        RuntimeException last = null;
        for (int attempt = 0; attempt < sentinels.size(); attempt++) {
            RedisSentinelUrl.HostPort sentinel = sentinels.get(current);
            try {
                if (connection == null || !connection.isOpen()) {
                    connection = client.connectSentinel(RedisURI.builder().withHost(sentinel.host())
                            .withPort(sentinel.port()).withTimeout(timeout).build());
                }
                SocketAddress address = RedisCalls.awaitKv(connection.async().getMasterAddrByName(url.masterName()),
                        timeout, "SENTINEL get-master-addr-by-name");
                if (address instanceof InetSocketAddress inet) {
                    return new RedisSentinelUrl.HostPort(inet.getHostString(), inet.getPort());
                }
                throw new IllegalStateException("sentinel " + sentinel + " does not know master '" + url.masterName() + "'");
            } catch (RuntimeException e) {
                last = e;
                LOG.debug("sentinel {} did not answer: {}", sentinel, e.getMessage());
                closeConnection();
                current = (current + 1) % sentinels.size();
            }
        }
        throw new IllegalStateException("no sentinel of " + sentinels + " knows the primary of '" + url.masterName()
                + "': " + (last == null ? "" : last.getMessage()), last);
    }

    private void closeConnection() {
        if (connection != null) {
            connection.closeAsync();
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
