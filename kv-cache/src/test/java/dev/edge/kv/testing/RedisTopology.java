package dev.edge.kv.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A primary and N replicas, each replica optionally linked through its own {@link StallableTcpProxy}
 * (so one replica can be made to lag). Close it in {@code @AfterAll}.
 */
public final class RedisTopology implements AutoCloseable {
    private final RedisServerProcess primary;
    private final List<RedisServerProcess> replicas = new ArrayList<>();
    private final List<StallableTcpProxy> proxies = new ArrayList<>();

    private RedisTopology(RedisServerProcess primary) {
        this.primary = primary;
    }

    public static RedisTopology primaryWithReplicas(int replicas) {
        return create(replicas, false);
    }

    /** Like {@link #primaryWithReplicas} but every replica reaches the primary through a stallable proxy. */
    public static RedisTopology primaryWithProxiedReplicas(int replicas) {
        return create(replicas, true);
    }

    private static RedisTopology create(int replicaCount, boolean proxied) {
        RedisTopology topology = new RedisTopology(RedisServerProcess.start());
        try {
            for (int i = 0; i < replicaCount; i++) {
                int linkPort = topology.primary.port();
                StallableTcpProxy proxy = null;
                if (proxied) {
                    proxy = new StallableTcpProxy(topology.primary.port());
                    linkPort = proxy.port();
                }
                topology.proxies.add(proxy);
                topology.replicas.add(RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(linkPort),
                        "--repl-ping-replica-period", "1"));
            }
            topology.awaitReplicasInSync();
            return topology;
        } catch (RuntimeException e) {
            topology.close();
            throw e;
        }
    }

    public RedisServerProcess primary() { return primary; }

    /** Replica {@code i} (0-based). */
    public RedisServerProcess replica(int i) { return replicas.get(i); }

    /** The proxy between replica {@code i} and the primary (proxied topologies only). */
    public StallableTcpProxy proxy(int i) {
        StallableTcpProxy proxy = proxies.get(i);
        if (proxy == null) {
            throw new IllegalStateException("replica " + i + " is not proxied");
        }
        return proxy;
    }

    /** Port replica {@code i} should use in {@code REPLICAOF} to follow the primary. */
    public int linkPort(int i) {
        StallableTcpProxy proxy = proxies.get(i);
        return proxy == null ? primary.port() : proxy.port();
    }

    /** Waits until every replica's link is up and it has applied the primary's current offset. */
    public void awaitReplicasInSync() {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
            long primaryOffset = Long.parseLong(primary.info("replication", "master_repl_offset"));
            for (RedisServerProcess replica : replicas) {
                if (!"up".equals(replica.info("replication", "master_link_status"))) {
                    return false;
                }
                String offset = replica.info("replication", "slave_repl_offset");
                if (offset == null || Long.parseLong(offset) < primaryOffset) {
                    return false;
                }
            }
            return true;
        });
    }

    /** FLUSHALL on the primary, then waits until every replica applied it. */
    public void flushAll() {
        primary.command("FLUSHALL");
        awaitReplicasInSync();
    }

    @Override
    public void close() {
        for (StallableTcpProxy proxy : proxies) {
            if (proxy != null) {
                proxy.close();
            }
        }
        for (RedisServerProcess replica : replicas) {
            replica.close();
        }
        primary.close();
    }
}
