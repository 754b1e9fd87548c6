package dev.edge.kv.redis;

import static dev.edge.kv.redis.TwoRegions.bytes;
import static dev.edge.kv.redis.TwoRegions.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.testing.RedisServerProcess;
import dev.edge.kv.testing.RedisTopology;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis tier under real faults (kill -9 / SIGSTOP of real redis-server processes): a dead regional
 * replica, a hung primary, and recovery from each. Figures are logged as "RELIABILITY ..." lines
 * (docs/reliability.md).
 */
class RedisResilienceTest {
    private static final Logger LOG = LoggerFactory.getLogger(RedisResilienceTest.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
    private static final int KEYS = 20;

    private RedisTopology topology;
    private SimpleMeterRegistry registry;
    private RedisStoreBackend backend;
    private KeyValueStore store;

    @BeforeEach
    void start() {
        topology = RedisTopology.primaryWithReplicas(1);
        registry = new SimpleMeterRegistry();
        backend = new RedisStoreBackend(new KvStoreConfig.Redis(topology.primary().uri(),
                Optional.of(topology.replica(0).uri()), "eu", 10_000, Duration.ofMinutes(5), COMMAND_TIMEOUT,
                COMMAND_TIMEOUT, 0, Duration.ofMillis(100)), registry);
        store = backend.open("app", "default");
        for (int i = 0; i < KEYS; i++) {
            store.set("k" + i, bytes("v" + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.dirtyKeyCount() == 0);
        for (int i = 0; i < KEYS; i++) {
            assertThat(read(store, "k" + i)).isEqualTo("v" + i);
        }
        assertThat(backend.nearCacheContains("app", "default", "k0")).isTrue();
    }

    @AfterEach
    void stop() {
        backend.close();
        topology.close();
    }

    @Test
    void deadReplicaMovesTrackingToThePrimaryAndHotKeysStayCachedAndCoherent() {
        long killed = System.nanoTime();
        topology.replica(0).kill();
        int served = 0;
        for (int i = 0; i < KEYS; i++) {
            assertThat(read(store, "k" + i)).isEqualTo("v" + i); // from the near-cache or the primary
            served++;
        }
        await().atMost(Duration.ofSeconds(5)).until(backend::trackingOnPrimaryFallback);
        await().atMost(Duration.ofSeconds(5)).until(backend::trackingArmed);
        long fallbackMillis = (System.nanoTime() - killed) / 1_000_000;
        // Hot keys are cached again, now tracked by the primary ...
        assertThat(read(store, "k1")).isEqualTo("v1");
        assertThat(backend.nearCacheContains("app", "default", "k1")).isTrue();
        // ... and kept coherent by its invalidations: another node's write evicts the entry.
        topology.primary().command("SET", "edge:{app/default}:k1", "changed-elsewhere");
        await().atMost(Duration.ofSeconds(5)).until(() -> !backend.nearCacheContains("app", "default", "k1"));
        assertThat(read(store, "k1")).isEqualTo("changed-elsewhere");
        store.set("k2", bytes("written-during-fault"));
        assertThat(read(store, "k2")).isEqualTo("written-during-fault");

        long restarted = System.nanoTime();
        topology.replica(0).restart(); // empty, resyncs from the primary
        topology.awaitReplicasInSync();
        await().atMost(Duration.ofSeconds(10)).until(() -> !backend.trackingOnPrimaryFallback() && backend.trackingArmed());
        long recoveryMillis = (System.nanoTime() - restarted) / 1_000_000;
        assertNoStaleEntries();
        LOG.info("RELIABILITY replica-killed: reads served during fault={}/{} (errors 0), tracking moved to primary after {} ms, "
                + "back on replica {} ms after restart, stale entries after recovery=0", served, KEYS, fallbackMillis, recoveryMillis);
    }

    @Test
    void hungReplicaCostsAtMostOneTimeoutPerReadThenTrackingMovesToThePrimary() {
        long paused = System.nanoTime();
        topology.replica(0).pause();
        try {
            for (int i = 0; i < KEYS; i++) {
                assertThat(read(store, "k" + i)).isEqualTo("v" + i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.trackingOnPrimaryFallback() && backend.trackingArmed());
            long fallbackMillis = (System.nanoTime() - paused) / 1_000_000;
            assertThat(read(store, "k3")).isEqualTo("v3");
            assertThat(backend.nearCacheContains("app", "default", "k3")).as("cached again, tracked by the primary").isTrue();
            store.set("k3", bytes("written-while-replica-hung"));
            assertThat(read(store, "k3")).isEqualTo("written-while-replica-hung");
            LOG.info("RELIABILITY replica-paused: reads served {}/{}; tracking on the primary {} ms after SIGSTOP",
                    KEYS, KEYS, fallbackMillis);
        } finally {
            topology.replica(0).resume();
        }
        long resumed = System.nanoTime();
        topology.awaitReplicasInSync();
        await().atMost(Duration.ofSeconds(10)).until(() -> !backend.trackingOnPrimaryFallback() && backend.trackingArmed());
        LOG.info("RELIABILITY replica-paused: tracking back on the replica {} ms after SIGCONT",
                (System.nanoTime() - resumed) / 1_000_000);
        assertNoStaleEntries();
    }

    @Test
    void hungPrimaryFailsWritesFastServesReadsAndRecovers() {
        topology.primary().pause();
        long paused = System.nanoTime();
        int timedOut = 0;
        KvException rejected = null;
        while (rejected == null) {
            try {
                store.set("w", bytes("x"));
                throw new AssertionError("a write to a paused primary succeeded");
            } catch (KvException e) {
                if (e.getMessage().startsWith("key-value primary unavailable")) {
                    rejected = e;
                } else {
                    assertThat(e.getMessage()).contains("timed out");
                    timedOut++;
                }
            }
        }
        long openMillis = (System.nanoTime() - paused) / 1_000_000;
        assertThat(rejected.kind()).isEqualTo(KvException.Kind.OTHER);
        assertThat(backend.primaryBreakerState()).isEqualTo("OPEN");
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.set("w", bytes("y"))).hasMessageStartingWith("key-value primary unavailable");
        assertThatThrownBy(() -> store.increment("n", 1)).hasMessageStartingWith("key-value primary unavailable");
        assertThatThrownBy(() -> store.compareAndSwap("w", null, bytes("z"))).hasMessageStartingWith("key-value primary unavailable");
        double failFastMicros = (System.nanoTime() - start) / 3_000.0;
        // Reads of every key that existed are served: near-cache hits and the (live) replica.
        for (int i = 0; i < KEYS; i++) {
            assertThat(read(store, "k" + i)).isEqualTo("v" + i);
        }
        assertThat(store.get("never-written")).isEmpty();

        double flushesBefore = flushes("primary-recovered");
        topology.primary().resume();
        long resumed = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> {
                    store.set("w", bytes("after"));
                    return true;
                });
        long recoveryMillis = (System.nanoTime() - resumed) / 1_000_000;
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.primaryBreakerState().equals("CLOSED"));
        await().atMost(Duration.ofSeconds(5)).until(() -> flushes("primary-recovered") > flushesBefore);
        assertThat(read(store, "w")).isEqualTo("after");
        topology.awaitReplicasInSync();
        assertNoStaleEntries();
        LOG.info("RELIABILITY primary-paused: {} writes timed out ({} ms budget) before the breaker opened after {} ms; "
                        + "rejected writes/atomics then failed in {} us each; reads served {}/{}; writes resumed {} ms after "
                        + "SIGCONT; stale entries after recovery=0",
                timedOut, COMMAND_TIMEOUT.toMillis(), openMillis, String.format("%.0f", failFastMicros), KEYS, KEYS,
                recoveryMillis);
    }

    /**
     * A guest past its deadline is interrupted by the watchdog, often while it waits on a Redis reply
     * (issue 9). That interrupt is the guest's fault, not Redis's: it must fail only that call, and leave the
     * breakers that every app shares closed.
     */
    @Test
    void interruptedCallsFailAloneAndLeaveTheSharedBreakersClosed() throws Exception {
        int threads = 8;
        AtomicInteger interrupted = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> guests = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread guest = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        switch (i % 3) {
                            case 0 -> store.set("guest-" + id + "-" + i, bytes("x"));
                            case 1 -> store.get("uncached-" + id + "-" + i);
                            default -> store.increment("counter-" + id, 1);
                        }
                    } catch (KvException e) {
                        assertThat(e.getMessage()).contains("interrupted");
                        interrupted.incrementAndGet();
                    } finally {
                        Thread.interrupted(); // the next "request" starts clean, as the executor's workers do
                    }
                }
            }, "guest-" + t);
            guest.start();
            guests.add(guest);
        }
        try {
            // The watchdog: interrupts land wherever the guests are, mostly while they await a reply.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(2)).until(() -> {
                guests.forEach(Thread::interrupt);
                return interrupted.get() >= 100;
            });
        } finally {
            stop.set(true);
            for (Thread guest : guests) {
                guest.join();
            }
        }
        assertThat(backend.primaryBreakerState()).isEqualTo("CLOSED");
        assertThat(backend.replicaBreakerState()).isEqualTo("CLOSED");
        KeyValueStore otherApp = backend.open("other-app", "default");
        otherApp.set("written", bytes("by another app"));
        assertThat(read(otherApp, "written")).isEqualTo("by another app");
        assertThat(otherApp.increment("n", 2)).isEqualTo(2);
    }

    /** Every key read through the backend equals the primary's value (nothing stale survived). */
    private void assertNoStaleEntries() {
        RedisServerProcess primary = topology.primary();
        for (int i = 0; i < KEYS; i++) {
            String key = "k" + i;
            String truth = primary.command("GET", "edge:{app/default}:" + key);
            assertThat(read(store, key)).as(key).isEqualTo(truth);
        }
    }

    private double flushes(String reason) {
        Counter c = registry.find(RedisKvMetrics.PREFIX + "nearcache.flushes").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
