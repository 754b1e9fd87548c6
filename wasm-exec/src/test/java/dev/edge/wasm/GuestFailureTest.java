package dev.edge.wasm;

import static dev.edge.wasm.Guests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.memory.InMemoryStoreBackend;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Traps, runaway guests, memory hogs and oversized output: the request fails cleanly, the worker survives. */
class GuestFailureTest {
    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();

    @AfterEach
    void tearDown() {
        watchdog.close();
    }

    private WasmHttpHandler handler(String guest, Duration deadline) throws WasmLoadException {
        KeyValueFactor kv = new KeyValueFactor("app", Map.of("default", new InMemoryStoreBackend()));
        return Guests.handler(Guests.guest(guest), kv, Set.of("default"), Guests.limits(deadline),
                ExecutorOptions.defaults(), watchdog);
    }

    @Test
    void unreachableIsATrapAnd500EveryTime() throws Exception {
        try (WasmHttpHandler handler = handler("trap", Duration.ofSeconds(5))) {
            for (int i = 0; i < 3; i++) {
                GuestException e = catchThrowableOfType(GuestException.class,
                        () -> handler.handle(request("GET", "/", "")));
                assertThat(e.reason()).isEqualTo(GuestException.Reason.TRAP);
                assertThat(e.status()).isEqualTo(500);
                assertThat(e.componentId()).isEqualTo("trap");
                assertThat(e.getMessage()).startsWith("component 'trap': guest trapped: ");
            }
            // a trapped instance is never pooled again: warm-up instance + one per failed request
            assertThat(handler.instancesCreated()).isEqualTo(3);
            assertThat(handler.idleInstances()).isZero();
        }
    }

    @Test
    void handlerKeepsServingAfterATrapOnTheSameComponent() throws Exception {
        try (WasmHttpHandler handler = handler("kvtest", Duration.ofSeconds(5))) {
            GuestException e = catchThrowableOfType(GuestException.class,
                    () -> handler.handle(request("GET", "/badptr", "")));
            assertThat(e.reason()).isEqualTo(GuestException.Reason.TRAP);
            assertThat(e.getMessage()).contains("out of bounds memory access");

            GuestResponse next = handler.handle(request("GET", "/open/default", ""));
            assertThat(next.status()).isEqualTo(200);
            assertThat(Guests.text(next)).startsWith("code=0\n");
        }
    }

    @Test
    void runawayGuestIsInterruptedAtTheDeadline() throws Exception {
        Duration deadline = Duration.ofMillis(300);
        try (WasmHttpHandler handler = handler("loop", deadline)) {
            int threadsBefore = -1;
            for (int i = 0; i < 4; i++) {
                if (i == 1) {
                    threadsBefore = Thread.activeCount(); // the watchdog thread starts with the first request
                }
                long start = System.nanoTime();
                GuestException e = catchThrowableOfType(GuestException.class,
                        () -> handler.handle(request("GET", "/", "")));
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;

                assertThat(e.reason()).isEqualTo(GuestException.Reason.DEADLINE);
                assertThat(e.status()).isEqualTo(504);
                assertThat(elapsedMs).isBetween(deadline.toMillis(), deadline.toMillis() + 5_000);
                assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag cleared").isFalse();
            }
            assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore);
            assertThat(handler.idleInstances()).isZero();
        }
        // the worker thread is fine: blocking calls do not see a stale interrupt
        Thread.sleep(1);
    }

    @Test
    void fastRequestsNeverSeeALateInterrupt() throws Exception {
        try (WasmHttpHandler handler = Guests.handler(Guests.guest("hello"), null, Set.of(),
                Guests.limits(Duration.ofMillis(1)), ExecutorOptions.defaults(), watchdog)) {
            for (int i = 0; i < 200; i++) {
                try {
                    handler.handle(request("GET", "/", ""));
                } catch (GuestException e) {
                    assertThat(e.reason()).isEqualTo(GuestException.Reason.DEADLINE);
                }
                assertThat(Thread.interrupted()).as("no interrupt leaks out of handle()").isFalse();
            }
        }
    }

    @Test
    void deepRecursionIsATrapAndTheWorkerSurvives() throws Exception {
        try (WasmHttpHandler handler = handler("recursion", Duration.ofSeconds(10))) {
            for (int i = 0; i < 2; i++) {
                GuestException e = catchThrowableOfType(GuestException.class,
                        () -> handler.handle(request("GET", "/", "")));
                assertThat(e.reason()).isEqualTo(GuestException.Reason.TRAP);
                assertThat(e.status()).isEqualTo(500);
            }
        }
        try (WasmHttpHandler hello = Guests.handler(Guests.guest("hello"), null, Set.of(),
                Guests.limits(Duration.ofSeconds(5)), ExecutorOptions.defaults(), watchdog)) {
            assertThat(hello.handle(request("GET", "/after", "")).status()).isEqualTo(200);
        }
    }

    @Test
    void memoryCapMakesMallocFailInsteadOfExhaustingTheHeap() throws Exception {
        GuestLimits limits = new GuestLimits(16L << 20, Duration.ofSeconds(10), 1 << 20, 1 << 20, 2);
        try (WasmHttpHandler handler = Guests.handler(Guests.guest("memhog"), null, Set.of(), limits,
                ExecutorOptions.defaults(), watchdog)) {
            for (int i = 0; i < 40; i++) {
                GuestResponse response = handler.handle(request("GET", "/", ""));
                String text = Guests.text(response);
                assertThat(text).startsWith("allocated=");
                int mib = Integer.parseInt(text.substring("allocated=".length()));
                assertThat(mib).isBetween(10, 15); // below the 16 MiB cap, most of it usable
            }
        }
    }

    @Test
    void oversizedResponseIsRefused() throws Exception {
        GuestLimits limits = new GuestLimits(32L << 20, Duration.ofSeconds(5), 1 << 20, 10_000, 2);
        KeyValueFactor kv = new KeyValueFactor("app", Map.of());
        try (WasmHttpHandler handler = Guests.handler(Guests.guest("kvtest"), kv, Set.of(), limits,
                ExecutorOptions.defaults(), watchdog)) {
            assertThat(handler.handle(request("GET", "/big/10000", "")).body()).hasSize(10_000);
            assertThatThrownBy(() -> handler.handle(request("GET", "/big/10001", "")))
                    .isInstanceOfSatisfying(GuestException.class, e -> {
                        assertThat(e.reason()).isEqualTo(GuestException.Reason.RESPONSE_TOO_LARGE);
                        assertThat(e.status()).isEqualTo(500);
                    });
            assertThat(handler.handle(request("GET", "/big/5", "")).body()).hasSize(5);
        }
    }
}
