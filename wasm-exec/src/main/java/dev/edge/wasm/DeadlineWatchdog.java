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
 * looks at the running ones every half budget, and stops itself after a second without any. A thread runs one guest
 * at a time, so each thread reuses one inline watch: starting and finishing a run writes its fields, no shared set.
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
    /** Every thread's reusable inline watch (one entry per thread that ran a guest inline; dead threads' go). */
    private final Set<Watch> inlineWatches = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Watch> inlineWatch = new ThreadLocal<>();
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
        Watch watch = inlineWatch.get();
        if (watch == null) {
            watch = new Watch(Thread.currentThread(), true);
            inlineWatch.set(watch);
            inlineWatches.add(watch);
        }
        watch.start(System.nanoTime());
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
        long now = System.nanoTime();
        boolean anyRunning = false;
        for (Watch watch : inlineWatches) {
            long started = watch.started;
            if (started != 0) {
                anyRunning = true;
                if (now - started > inlineBudgetNanos) {
                    watch.expireRun(started);
                }
            } else if (!watch.thread.isAlive()) {
                inlineWatches.remove(watch);
            }
        }
        if (!anyRunning) {
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
            if (inlineWatches.stream().anyMatch(w -> w.started != 0) && ticking.compareAndSet(false, true)) {
                startTicker();
            }
            return;
        }
        idleTicks = 0;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** One guarded call; an inline watch guards its thread's inline runs one after the other. */
    public static final class Watch {
        private final Thread thread;
        private final boolean inline;
        /** Inline: when the current run started ({@link System#nanoTime}), 0 between runs. */
        private volatile long started;
        private ScheduledFuture<?> timer;
        private boolean running = true;
        private boolean expired;

        private Watch(Thread thread) {
            this(thread, false);
        }

        private Watch(Thread thread, boolean inline) {
            this.thread = thread;
            this.inline = inline;
            this.running = !inline;
        }

        /** An inline run begins on the watch's own thread. */
        private void start(long now) {
            synchronized (this) {
                running = true;
                expired = false;
            }
            started = now == 0 ? 1 : now; // 0 means "between runs"
        }

        private synchronized void expire() {
            if (running) {
                expired = true;
                running = false;
                thread.interrupt();
            }
        }

        /** Expires the inline run that started at {@code run}, if it is still the one running. */
        private synchronized void expireRun(long run) {
            if (started == run) {
                expire();
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
            if (inline) {
                started = 0;
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
