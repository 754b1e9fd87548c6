package dev.edge.kv.redis;

import static dev.edge.kv.redis.TwoRegions.bytes;
import static dev.edge.kv.redis.TwoRegions.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.testing.RedisServerProcess;
import dev.edge.kv.testing.SentinelTopology;
import dev.edge.kv.testing.WriteHistory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover with real Redis Sentinel: 3 sentinels (quorum 2, down-after 1 s), a primary, a failover
 * candidate and the node's regional replica (both promotable). The first sentinel is paused (SIGSTOP), then the
 * primary is killed (-9) mid-load; writes must
 * resume on the promoted primary without a restart, no acknowledged write may be lost (wait_replicas = 1:
 * every acknowledged write is on a replica; Sentinel promotes the replica with the largest offset),
 * reads of existing keys keep being served, and nothing stale survives.
 */
class RedisSentinelFailoverTest {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSentinelFailoverTest.class);
    private static final int WRITERS = 4;
    private static final int KEYS_PER_WRITER = 5;
    private static final int STATIC_KEYS = 10;

    @Test
    void killedPrimaryFailsOverAndWritesResumeWithoutLosingAcknowledgedWrites() throws Exception {
        failover("sentinel-failover (primary killed)", false);
    }

    /**
     * A hung primary keeps its TCP connections open: only following Sentinel (not a reconnect) moves the
     * writes to the promoted primary. When the old primary is resumed, Sentinel demotes it to a replica.
     */
    @Test
    void hungPrimaryFailsOverAndWritesFollowThePromotedPrimary() throws Exception {
        failover("sentinel-failover (primary SIGSTOPped)", true);
    }

    private void failover(String scenario, boolean hang) throws Exception {
        try (SentinelTopology topology = SentinelTopology.start()) {
            KvStoreConfig.Redis config = new KvStoreConfig.Redis(topology.sentinelUrl(),
                    Optional.of(topology.regionalReplica().uri()), "eu", 10_000, Duration.ofMinutes(5),
                    Duration.ofMillis(500), Duration.ofMillis(500), 1, Duration.ofMillis(200));
            RedisStoreBackend backend = new RedisStoreBackend(config, new SimpleMeterRegistry());
            try {
                run(topology, backend, scenario, hang);
            } finally {
                backend.close();
            }
        }
    }

    private void run(SentinelTopology topology, RedisStoreBackend backend, String scenario, boolean hang) throws Exception {
        KeyValueStore store = backend.open("app", "default");
        assertThat(backend.primaryAddress()).isEqualTo("127.0.0.1:" + topology.initialPrimary().port());
        for (int i = 0; i < STATIC_KEYS; i++) {
            store.set("static" + i, bytes("s" + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.dirtyKeyCount() == 0);
        for (int i = 0; i < STATIC_KEYS; i++) {
            assertThat(read(store, "static" + i)).isEqualTo("s" + i);
        }
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

        WriteHistory history = new WriteHistory();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstFailure = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstSuccessAfterFailure = new AtomicLong(Long.MAX_VALUE);
        AtomicLong rejectedCount = new AtomicLong();
        AtomicLong rejectedNanos = new AtomicLong();
        AtomicLong readsOk = new AtomicLong();
        AtomicLong readErrors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            threads.add(startThread("writer-" + w, () -> {
                long seq = 0;
                while (running.get()) {
                    String key = "w" + writer + "-" + (seq % KEYS_PER_WRITER);
                    String value = "v" + seq++;
                    long start = System.nanoTime();
                    try {
                        store.set(key, bytes(value));
                        history.record(key, value, WriteHistory.Outcome.ACKNOWLEDGED);
                        if (firstFailure.get() != Long.MAX_VALUE) {
                            firstSuccessAfterFailure.compareAndSet(Long.MAX_VALUE, System.nanoTime());
                        }
                    } catch (KvException e) {
                        long now = System.nanoTime();
                        if (now > killedAt.get()) {
                            firstFailure.compareAndSet(Long.MAX_VALUE, now);
                        }
                        if (e.getMessage().startsWith("key-value primary unavailable")) {
                            history.record(key, value, WriteHistory.Outcome.NOT_APPLIED);
                            rejectedCount.incrementAndGet();
                            rejectedNanos.addAndGet(now - start);
                        } else {
                            history.record(key, value, WriteHistory.Outcome.UNKNOWN);
                        }
                    }
                    pause(2);
                }
            }));
        }
        threads.add(startThread("reader", () -> {
            int i = 0;
            while (running.get()) {
                try {
                    String key = "static" + (i++ % STATIC_KEYS);
                    if (("s" + key.substring(6)).equals(read(store, key))) {
                        readsOk.incrementAndGet();
                    } else {
                        readErrors.incrementAndGet();
                    }
                } catch (KvException e) {
                    if (readErrors.incrementAndGet() <= 3) {
                        LOG.warn("read failed during the fault: {}", e.getMessage());
                    }
                }
                pause(2);
            }
        }));

        pause(500);
        // The sentinel the backend asks first hangs: lookups must move on to the next one, and the two
        // others still have the quorum (2) and the majority to fail over.
        topology.sentinel(0).pause();
        pause(500);
        RedisServerProcess oldPrimary = topology.initialPrimary();
        killedAt.set(System.nanoTime());
        if (hang) {
            oldPrimary.pause();
        } else {
            oldPrimary.kill();
        }
        long readsOkAtKill = readsOk.get();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> firstSuccessAfterFailure.get() != Long.MAX_VALUE);
        long readsDuringFault = readsOk.get() - readsOkAtKill;
        pause(1000); // keep writing on the new primary for a while
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }

        if (hang) {
            oldPrimary.resume(); // comes back as a primary nobody follows; Sentinel demotes it
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> "slave".equals(oldPrimary.info("replication", "role")));
        }
        assertThat(topology.currentPrimary()).isNotSameAs(oldPrimary);
        assertThat(backend.primaryAddress()).isEqualTo("127.0.0.1:" + topology.currentPrimary().port());
        assertThat(readErrors.get()).as("reads of existing keys during the failover").isZero();
        topology.awaitReplicasInSync();
        RedisServerProcess primary = topology.currentPrimary();
        List<String> violations = history.violations(key -> primary.command("GET", "edge:{app/default}:" + key));
        assertThat(violations).as("acknowledged writes lost").isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.dirtyKeyCount() == 0);
        int stale = 0;
        for (String key : history.keys()) {
            if (!java.util.Objects.equals(read(store, key), primary.command("GET", "edge:{app/default}:" + key))) {
                stale++;
            }
        }
        assertThat(stale).as("stale entries after recovery").isZero();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> ManagementFactory.getThreadMXBean().getThreadCount() <= threadsBefore + 3);

        long windowMillis = (firstSuccessAfterFailure.get() - firstFailure.get()) / 1_000_000;
        LOG.info("RELIABILITY {}: unavailability window {} ms (first failed write to first acknowledged "
                        + "write on the promoted primary; down-after {} ms); writes acknowledged={} unknown={} rejected-fast={} "
                        + "(avg {} us); reads of existing keys served during the fault={} errors={}; acknowledged writes "
                        + "lost=0; stale entries after recovery=0; threads before={} after={}",
                scenario, windowMillis, SentinelTopology.DOWN_AFTER.toMillis(), history.count(WriteHistory.Outcome.ACKNOWLEDGED),
                history.count(WriteHistory.Outcome.UNKNOWN), rejectedCount.get(),
                rejectedCount.get() == 0 ? 0 : rejectedNanos.get() / rejectedCount.get() / 1000, readsDuringFault,
                readErrors.get(), threadsBefore, ManagementFactory.getThreadMXBean().getThreadCount());
    }

    private static Thread startThread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
