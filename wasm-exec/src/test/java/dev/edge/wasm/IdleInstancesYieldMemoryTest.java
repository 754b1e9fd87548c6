package dev.edge.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Idle pooled instances hold guest memory only while nobody else needs it: when the shared budget cannot cover a
 * reservation, idle instances (of any component) are closed to make room. Without that, one component's idle pool
 * could pin the whole budget and every other component would answer 503 for good.
 */
class IdleInstancesYieldMemoryTest {
    private static final int POOLED = 4;

    @Test
    void anotherComponentGetsMemoryThatIdleInstancesHeld() throws Exception {
        GuestLimits limits = Guests.limits(Duration.ofSeconds(10));
        long sleepInitial = initialBytes(Guests.compiled(Guests.guest("sleep"), limits.maxMemoryBytes()));
        long helloInitial = initialBytes(Guests.compiled(Guests.guest("hello"), limits.maxMemoryBytes()));
        MemoryBudget budget = new MemoryBudget("guest memory", POOLED * sleepInitial + helloInitial - 1);
        ExecutorOptions options = ExecutorOptions.defaults().withGuestMemory(budget);
        ExecutorService clients = Executors.newFixedThreadPool(POOLED);
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog();
             WasmHttpHandler sleepy = Guests.handler(Guests.guest("sleep"), null, Set.of(), limits, options, watchdog)) {
            List<Future<GuestResponse>> answers = new ArrayList<>();
            for (int i = 0; i < POOLED; i++) {
                answers.add(clients.submit(() -> sleepy.handle(Guests.request("GET", "/sleep/300", ""))));
            }
            for (Future<GuestResponse> answer : answers) {
                assertThat(answer.get().status()).isEqualTo(200);
            }
            assertThat(budget.used()).as("the idle pool holds %d instances' memory", POOLED)
                    .isGreaterThan(budget.capacity() - helloInitial);

            try (WasmHttpHandler hello = Guests.handler(Guests.guest("hello"), null, Set.of(), limits, options,
                    watchdog)) {
                assertThat(hello.handle(Guests.request("GET", "/", "")).status()).isEqualTo(200);
            }
            assertThat(sleepy.handle(Guests.request("GET", "/sleep/1", "")).status())
                    .as("the pool that yielded still serves").isEqualTo(200);
        } finally {
            clients.shutdownNow();
        }
        assertThat(budget.used()).as("everything closed gives everything back").isZero();
    }

    private static long initialBytes(CompiledModule module) {
        return (long) module.memoryLimits().initialPages() * GuestAbi.PAGE_SIZE;
    }
}
