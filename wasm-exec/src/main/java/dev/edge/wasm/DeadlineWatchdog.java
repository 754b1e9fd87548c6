package dev.edge.wasm;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One shared daemon thread that interrupts guests running past their deadline. Chicory's compiled code
 * checks the interrupt flag at loops and calls and throws {@code ChicoryInterruptedException}.
 *
 * <p>The interrupt is delivered under the watch's lock and only while the watch is running, so once
 * {@link Watch#finish()} returns no interrupt can land later on the (pooled) worker thread; finish()
 * clears the flag when the watchdog fired.
 */
public final class DeadlineWatchdog implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private final ScheduledThreadPoolExecutor scheduler;

    public DeadlineWatchdog() {
        scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "edge-guest-watchdog-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
    }

    /** Starts watching the current thread; interrupt it if still running after {@code deadline}. */
    public Watch watch(Duration deadline) {
        Watch watch = new Watch(Thread.currentThread());
        watch.timer = scheduler.schedule(watch::expire, deadline.toNanos(), TimeUnit.NANOSECONDS);
        return watch;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** One guarded call. */
    public static final class Watch {
        private final Thread thread;
        private ScheduledFuture<?> timer;
        private boolean running = true;
        private boolean expired;

        private Watch(Thread thread) {
            this.thread = thread;
        }

        private synchronized void expire() {
            if (running) {
                expired = true;
                running = false;
                thread.interrupt();
            }
        }

        /** Stops watching; returns true if the deadline passed (the interrupt flag is then cleared). */
        public boolean finish() {
            boolean fired;
            synchronized (this) {
                running = false;
                fired = expired;
            }
            if (timer != null) {
                timer.cancel(false);
            }
            if (fired) {
                Thread.interrupted();
            }
            return fired;
        }

        public synchronized boolean expired() {
            return expired;
        }
    }
}
