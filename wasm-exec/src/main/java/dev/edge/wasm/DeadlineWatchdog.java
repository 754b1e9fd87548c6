package dev.edge.wasm;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One shared daemon thread that interrupts guests running past their deadline. Chicory's compiled code
 * checks the interrupt flag at loops and calls and throws {@code ChicoryInterruptedException}.
 *
 * <p>The interrupt is delivered under the watch's lock and only while the watch is running, so once
 * {@link Watch#finish()} returns no interrupt can land later on the (pooled) worker thread; finish()
 * clears the flag when the watchdog fired.
 *
 * <p>Guests run inline (on an IO thread, {@link #inline()}) get a short CPU budget instead of a deadline. They are
 * many and short, so they are not scheduled one by one (each new earliest timer would wake this thread): a ticker
 * looks at the running ones every half budget, and stops itself after a second without any.
 */
public final class DeadlineWatchdog implements AutoCloseable {
    /**
     * How long a guest may run inline before it is abandoned and re-run on a worker. Wall-clock time, so on a
     * loaded machine a descheduled thread uses it up too: 10 ms leaves room for that, and still keeps one IO
     * thread's other connections waiting at most that long for a guest that turns out to be slow.
     */
    public static final Duration DEFAULT_INLINE_BUDGET = Duration.ofMillis(10);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private final ScheduledThreadPoolExecutor scheduler;
    private final long inlineBudgetNanos;
    private final Set<Watch> inlineRuns = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean ticking = new AtomicBoolean();
    private volatile ScheduledFuture<?> ticker; // the running ticker while ticking
    private int idleTicks; // ticker thread only

    public DeadlineWatchdog() {
        this(DEFAULT_INLINE_BUDGET);
    }

    public DeadlineWatchdog(Duration inlineBudget) {
        this.inlineBudgetNanos = inlineBudget.toNanos();
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

    /**
     * Starts watching the current thread, which must not block, for one inline guest run: interrupted if still
     * running after the inline budget. {@link Watch#finish()} returns true if the budget ran out.
     */
    public Watch inline() {
        Watch watch = new Watch(Thread.currentThread(), System.nanoTime(), inlineRuns);
        inlineRuns.add(watch);
        if (!ticking.get() && ticking.compareAndSet(false, true)) {
            startTicker();
        }
        return watch;
    }

    private void startTicker() {
        long period = Math.max(100_000, inlineBudgetNanos / 2);
        idleTicks = 0;
        try {
            ticker = scheduler.scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ticking.set(false); // closed: inline runs go unwatched, as after close() every watch does
        }
    }

    private void tick() {
        if (inlineRuns.isEmpty()) {
            if (++idleTicks * inlineBudgetNanos / 2 < 1_000_000_000L) {
                return;
            }
            ScheduledFuture<?> self = ticker;
            if (self == null) {
                return; // started a moment ago, not yet published
            }
            self.cancel(false);
            ticker = null;
            ticking.set(false);
            // A run that started before ticking went false saw it true and did not start a ticker: start one.
            if (!inlineRuns.isEmpty() && ticking.compareAndSet(false, true)) {
                startTicker();
            }
            return;
        }
        idleTicks = 0;
        long now = System.nanoTime();
        for (Watch watch : inlineRuns) {
            if (now - watch.started > inlineBudgetNanos) {
                watch.expire();
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** One guarded call. */
    public static final class Watch {
        private final Thread thread;
        private final long started;
        private final Set<Watch> inlineRuns; // null unless inline
        private ScheduledFuture<?> timer;
        private boolean running = true;
        private boolean expired;

        private Watch(Thread thread) {
            this(thread, 0, null);
        }

        private Watch(Thread thread, long started, Set<Watch> inlineRuns) {
            this.thread = thread;
            this.started = started;
            this.inlineRuns = inlineRuns;
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
            if (inlineRuns != null) {
                inlineRuns.remove(this);
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
