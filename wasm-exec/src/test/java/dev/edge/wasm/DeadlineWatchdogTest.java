package dev.edge.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Inline runs reuse one watch per thread: a run past its budget is expired (and its thread's interrupt cleared by
 * {@code finish}), and the thread's next run starts with a fresh budget, never expired by the last run's tick.
 */
class DeadlineWatchdogTest {

    private static boolean spinUntilExpired(DeadlineWatchdog.Watch watch) {
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!watch.expired() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        return watch.expired();
    }

    @Test
    void aThreadsNextInlineRunStartsWithAFreshBudget() {
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog(Duration.ofMillis(100))) {
            DeadlineWatchdog.Watch first = watchdog.inline();
            assertThat(spinUntilExpired(first)).isTrue();
            assertThat(first.finish()).isTrue();
            assertThat(Thread.currentThread().isInterrupted()).isFalse();

            DeadlineWatchdog.Watch second = watchdog.inline();
            assertThat(second.expired()).isFalse();
            assertThat(second.finish()).isFalse();
            assertThat(Thread.interrupted()).isFalse();
        }
    }

    @Test
    void inlineRunsOnTwoThreadsAreEachExpired() throws Exception {
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog(Duration.ofMillis(50))) {
            AtomicBoolean otherExpired = new AtomicBoolean();
            Thread other = new Thread(() -> {
                DeadlineWatchdog.Watch watch = watchdog.inline();
                otherExpired.set(spinUntilExpired(watch) && watch.finish());
            });
            other.start();
            DeadlineWatchdog.Watch mine = watchdog.inline();
            assertThat(spinUntilExpired(mine)).isTrue();
            assertThat(mine.finish()).isTrue();
            other.join(10_000);
            assertThat(otherExpired).isTrue();
            assertThat(Thread.interrupted()).isFalse();
        }
    }
}
