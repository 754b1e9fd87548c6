package dev.edge.routes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * The timeouts of one pool's proxied requests that no byte ends, checked by one periodic sweep per IO thread rather
 * than timers per request: a timer is a sorted insert and removal on the IO thread, and Undertow's client arms one
 * more per request for an upstream read timeout (with a new conduit and a new open listener each time). A sweep every {@code interval} walks the requests in flight on its thread; so a timeout fires up to
 * one interval late. Each entry is touched on its own IO thread only.
 */
final class UpstreamWatch {
    /** One request in flight; {@link #check} returns false once it no longer needs watching. */
    abstract static class Watched {
        /** Where it is in its sweep's entries, -1 once removed. */
        private int slot = -1;

        abstract boolean check(long nowNanos);
    }

    private final long intervalMillis;
    private final Map<XnioIoThread, Sweep> sweeps = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Sweeps every {@code timeoutNanos / 4}, between 10 ms and 500 ms: the shortest timeout it watches, a quarter late at most. */
    UpstreamWatch(long timeoutNanos) {
        this.intervalMillis = Math.max(10, Math.min(500, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4));
    }

    /**
     * Watches {@code watched} on {@code thread}, the IO thread of its exchange; call on that thread. Returns what
     * ends the watch, from any thread: call it when the exchange completes, so a finished request is not kept
     * (nor what it holds) until the next sweep.
     */
    Runnable add(XnioIoThread thread, Watched watched) {
        Sweep sweep = sweeps.get(thread);
        if (sweep == null) {
            sweep = sweeps.computeIfAbsent(thread, Sweep::new);
        }
        sweep.add(watched);
        Sweep on = sweep;
        return () -> {
            if (Thread.currentThread() == thread) {
                on.remove(watched);
            } else {
                thread.execute(() -> on.remove(watched));
            }
        };
    }

    /** Stops every sweep: the pool is closed. */
    void close() {
        closed = true;
        sweeps.values().forEach(Sweep::cancel);
    }

    private final class Sweep implements Runnable {
        private final List<Watched> entries = new ArrayList<>();
        private final XnioExecutor.Key key;

        Sweep(XnioIoThread thread) {
            key = thread.executeAtInterval(this, intervalMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void run() {
            if (closed) {
                cancel();
                return;
            }
            long now = System.nanoTime();
            for (int i = entries.size() - 1; i >= 0; i--) {
                Watched watched = entries.get(i);
                if (!watched.check(now)) {
                    remove(watched); // the last entry, already checked, takes its place
                }
            }
        }

        void add(Watched watched) {
            watched.slot = entries.size();
            entries.add(watched);
        }

        /** In O(1): the last entry moves into the removed one's slot. */
        void remove(Watched watched) {
            int slot = watched.slot;
            if (slot < 0) {
                return;
            }
            watched.slot = -1;
            Watched last = entries.remove(entries.size() - 1);
            if (last != watched) {
                entries.set(slot, last);
                last.slot = slot;
            }
        }

        void cancel() {
            key.remove();
        }
    }
}
