package dev.edge.kv.testing;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A primary, two replicas and three sentinels (quorum 2, down-after 1 s), all real processes on loopback.
 * Both replicas may be promoted (Sentinel picks the one with the largest replication offset). Replica 1 plays the node's
 * "regional replica" ({@code replica_url}). Close it in {@code @AfterAll}.
 */
public final class SentinelTopology implements AutoCloseable {
    public static final String MASTER = "edgemaster";
    public static final Duration DOWN_AFTER = Duration.ofMillis(1000);
    public static final Duration FAILOVER_TIMEOUT = Duration.ofMillis(3000);

    private final List<RedisServerProcess> servers = new ArrayList<>();
    private final List<RedisSentinelProcess> sentinels = new ArrayList<>();

    private SentinelTopology() {}

    public static SentinelTopology start() {
        SentinelTopology t = new SentinelTopology();
        try {
            RedisServerProcess primary = RedisServerProcess.start();
            t.servers.add(primary);
            String port = Integer.toString(primary.port());
            t.servers.add(RedisServerProcess.start("--replicaof", "127.0.0.1", port, "--repl-ping-replica-period", "1"));
            t.servers.add(RedisServerProcess.start("--replicaof", "127.0.0.1", port, "--repl-ping-replica-period", "1"));
            t.awaitReplicasInSync();
            for (int i = 0; i < 3; i++) {
                t.sentinels.add(RedisSentinelProcess.start(MASTER, primary.port(), 2, DOWN_AFTER, FAILOVER_TIMEOUT));
            }
            // Every sentinel has discovered both replicas and the other sentinels before a fault is injected.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                    t.sentinels.stream().allMatch(s -> field(s.command("SENTINEL", "master", MASTER), "num-slaves").equals("2")
                            && field(s.command("SENTINEL", "master", MASTER), "num-other-sentinels").equals("2")));
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private static String field(String flatReply, String name) {
        String[] parts = flatReply.split("\n");
        for (int i = 0; i + 1 < parts.length; i += 2) {
            if (parts[i].equals(name)) {
                return parts[i + 1];
            }
        }
        return "";
    }

    /** {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/edgemaster}. */
    public URI sentinelUrl() {
        return URI.create("redis-sentinel://" + sentinels.stream().map(s -> "127.0.0.1:" + s.port())
                .collect(Collectors.joining(",")) + "/" + MASTER);
    }

    /** The initial primary (server 0). */
    public RedisServerProcess initialPrimary() { return servers.get(0); }

    /** The replica a node reads from ({@code replica_url}); it may itself be promoted by a failover. */
    public RedisServerProcess regionalReplica() { return servers.get(2); }

    public RedisSentinelProcess sentinel(int i) { return sentinels.get(i); }

    /** The current primary as the first answering sentinel sees it. */
    public RedisServerProcess currentPrimary() {
        for (RedisSentinelProcess s : sentinels) {
            try {
                int port = s.masterPort(MASTER);
                return servers.stream().filter(r -> r.port() == port).findFirst().orElseThrow();
            } catch (RuntimeException e) {
                // next sentinel
            }
        }
        throw new IllegalStateException("no sentinel answers");
    }

    /** Waits until every live replica of the current primary is linked and caught up. */
    public void awaitReplicasInSync() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            RedisServerProcess primary = servers.stream().filter(RedisServerProcess::isAlive)
                    .filter(s -> "master".equals(s.info("replication", "role"))).findFirst().orElse(null);
            if (primary == null) {
                return false;
            }
            long offset = Long.parseLong(primary.info("replication", "master_repl_offset"));
            for (RedisServerProcess s : servers) {
                if (s == primary || !s.isAlive()) {
                    continue;
                }
                if (!"up".equals(s.info("replication", "master_link_status"))
                        || !Integer.toString(primary.port()).equals(s.info("replication", "master_port"))) {
                    return false;
                }
                String o = s.info("replication", "slave_repl_offset");
                if (o == null || Long.parseLong(o) < offset) {
                    return false;
                }
            }
            return true;
        });
    }

    @Override
    public void close() {
        sentinels.forEach(RedisSentinelProcess::close);
        servers.forEach(RedisServerProcess::close);
    }
}
