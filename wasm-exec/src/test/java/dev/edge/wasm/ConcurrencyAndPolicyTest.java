package dev.edge.wasm;

import static dev.edge.wasm.Guests.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConcurrencyAndPolicyTest {
    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();

    @AfterEach
    void tearDown() {
        watchdog.close();
    }

    private WasmHttpHandler marker(InstancePolicy policy, int maxPooled) throws WasmLoadException {
        GuestLimits limits = new GuestLimits(32L << 20, Duration.ofSeconds(30), 1 << 20, 1 << 20, maxPooled);
        return Guests.handler(Guests.guest("marker"), null, Set.of(), limits,
                ExecutorOptions.defaults().withPolicy(policy), watchdog);
    }

    @Test
    void manyThreadsOnePoolNoInstanceShared() throws Exception {
        int threads = 8;
        int perThread = 150;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (WasmHttpHandler handler = marker(InstancePolicy.REUSE, threads)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<String> failures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        String marker = "t" + thread + "-r" + i;
                        GuestResponse response = handler.handle(request("GET", "/", "", "x-marker", marker));
                        if (response.status() != 200 || !Guests.text(response).equals(marker)) {
                            failures.add(marker + " -> " + response.status() + " " + Guests.text(response));
                        }
                    }
                    return failures;
                }));
            }
            start.countDown();
            for (Future<List<String>> result : results) {
                assertThat(result.get()).isEmpty();
            }
            assertThat(handler.instancesCreated()).isLessThanOrEqualTo(threads + 1);
            assertThat(handler.idleInstances()).isBetween(1, threads);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reusePolicyKeepsGuestStateBetweenRequests() throws Exception {
        try (WasmHttpHandler handler = marker(InstancePolicy.REUSE, 4)) {
            List<String> served = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                served.add(Guests.header(handler.handle(request("GET", "/", "", "x-marker", "m")), "x-served"));
            }
            assertThat(served).containsExactly("1", "2", "3");
            assertThat(handler.instancesCreated()).isEqualTo(1);
        }
    }

    @Test
    void freshPolicyGivesEveryRequestANewInstanceLikeSpin() throws Exception {
        try (WasmHttpHandler handler = marker(InstancePolicy.FRESH, 4)) {
            List<String> served = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                served.add(Guests.header(handler.handle(request("GET", "/", "", "x-marker", "m")), "x-served"));
            }
            assertThat(served).containsExactly("1", "1", "1");
            assertThat(handler.instancesCreated()).isEqualTo(4); // the load-time check + one per request
            assertThat(handler.idleInstances()).isZero();
        }
    }

    @Test
    void idlePoolIsBounded() throws Exception {
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (WasmHttpHandler handler = marker(InstancePolicy.REUSE, 2)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 50; i++) {
                        handler.handle(request("GET", "/", "", "x-marker", "x"));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get();
            }
            assertThat(handler.idleInstances()).isBetween(1, 2);
        } finally {
            pool.shutdownNow();
        }
    }
}
