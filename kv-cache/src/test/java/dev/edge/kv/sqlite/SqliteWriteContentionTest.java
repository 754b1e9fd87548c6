package dev.edge.kv.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.kv.KeyValueStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers of one process never see SQLITE_BUSY: they queue in the process, in arrival order, instead of
 * polling SQLite's write lock through its busy handler (which sleeps and retries, unfairly, so a writer
 * can lose to the others for longer than the busy timeout: the CI flake of concurrentIncrementsSumExactly).
 * The busy timeout is only for writers of other processes ({@code edge kv} beside {@code edge up}).
 */
class SqliteWriteContentionTest {
    private static final int THREADS = 8;
    private static final int ROUNDS = 25;

    @TempDir
    Path temp;

    @Test
    void writersOfOneProcessNeverSeeSqliteBusyEvenWithABusyTimeoutFarShorterThanTheQueue() throws Exception {
        // 8 connections, so all 8 writers reach SQLite at once; a 1 ms busy timeout, so any wait on SQLite's lock fails
        try (SqliteStoreBackend backend = new SqliteStoreBackend(temp.resolve("kv.db"), "app", THREADS,
                Duration.ofMillis(1))) {
            KeyValueStore store = backend.open("app", "default");
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            CyclicBarrier start = new CyclicBarrier(THREADS);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int id = t;
                    futures.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < ROUNDS; i++) {
                            try {
                                store.increment("counter", 1);
                                store.set("k" + id, ("v" + i).getBytes(StandardCharsets.UTF_8));
                                store.compareAndSwap("k" + id, ("v" + i).getBytes(StandardCharsets.UTF_8),
                                        ("w" + i).getBytes(StandardCharsets.UTF_8));
                                store.compareAndSwap("new" + id + "-" + i, null, new byte[] {1});
                                store.delete("new" + id + "-" + i);
                            } catch (RuntimeException e) {
                                failures.add(e);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(failures).as("failed writes").isEmpty();
            assertThat(store.increment("counter", 0)).isEqualTo((long) THREADS * ROUNDS);
        }
    }
}
