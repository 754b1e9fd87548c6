package dev.edge.wasm;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for guests, node-wide: at most {@link Limits#maxConcurrent()} guests execute at once, at most
 * {@link Limits#maxPerComponent()} of them for any one component (its bulkhead, so one app's slow guests cannot
 * take every slot), and at most {@link Limits#maxQueued()} requests wait for a slot, each for at most
 * {@link Limits#maxWait()}. Past the queue bound the answer is 503 with {@code Retry-After} at once, without
 * waiting; a request that waited too long gets the same.
 *
 * <p>A waiting request holds its (Undertow worker) thread (Java 17, no virtual threads: docs/architecture.md);
 * requests past the worker pool wait in Undertow's own task queue before they get here. Health and static
 * responses never need a worker ({@code InlineAnswers} in routes).
 */
public final class GuestAdmission {

    /**
     * @param maxConcurrent   guests executing at once, node-wide
     * @param maxQueued       requests waiting for a slot; 0 means none wait
     * @param maxPerComponent guests of one component executing at once
     * @param maxWait         longest wait for a slot before 503
     */
    public record Limits(int maxConcurrent, int maxQueued, int maxPerComponent, Duration maxWait) {
        public Limits {
            if (maxConcurrent < 1 || maxQueued < 0 || maxPerComponent < 1 || maxWait.isNegative()) {
                throw new IllegalArgumentException("invalid admission limits");
            }
            maxPerComponent = Math.min(maxPerComponent, maxConcurrent);
        }

        /**
         * Sized to the machine: two guests per core (guests mostly compute, and wait on Redis briefly), four times
         * as many waiting (as many as Undertow has workers, 8 per core: a burst of keep-alive clients waits rather
         * than getting 503s), and each component may take all but a quarter of the slots when there are several.
         */
        public static Limits forMachine(int cores, int components, Duration maxWait) {
            int concurrent = Math.max(4, 2 * cores);
            return new Limits(concurrent, 4 * concurrent, perComponent(concurrent, components), maxWait);
        }

        /** A component's default bulkhead: every slot if it is alone, else all but a quarter of them. */
        public static int perComponent(int concurrent, int components) {
            return components <= 1 ? concurrent : Math.max(1, concurrent - Math.max(1, concurrent / 4));
        }
    }

    private final Limits limits;
    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Map<String, Semaphore> bulkheads = new ConcurrentHashMap<>();

    public GuestAdmission(Limits limits) {
        this.limits = limits;
        this.slots = new Semaphore(limits.maxConcurrent(), true);
    }

    public Limits limits() { return limits; }

    /** Requests waiting for a slot right now. */
    public int waiting() { return waiting.get(); }

    /** Guests executing right now. */
    public int executing() { return limits.maxConcurrent() - slots.availablePermits(); }

    /** {@code handler} behind this admission control. */
    public GuestHandler admit(GuestHandler handler) {
        Semaphore bulkhead = bulkheads.computeIfAbsent(handler.componentId(),
                id -> new Semaphore(limits.maxPerComponent(), true));
        return new Admitted(handler, bulkhead);
    }

    private final class Admitted implements GuestHandler {
        private final GuestHandler handler;
        private final Semaphore bulkhead;

        Admitted(GuestHandler handler, Semaphore bulkhead) {
            this.handler = handler;
            this.bulkhead = bulkhead;
        }

        @Override
        public String componentId() { return handler.componentId(); }

        @Override
        public GuestResponse handle(GuestRequest request) throws GuestException {
            long deadline = System.nanoTime() + limits.maxWait().toNanos();
            if (!enter(bulkhead, deadline)) {
                return GuestResponse.overloaded();
            }
            try {
                if (!enter(slots, deadline)) {
                    return GuestResponse.overloaded();
                }
                try {
                    return handler.handle(request);
                } finally {
                    slots.release();
                }
            } finally {
                bulkhead.release();
            }
        }

        /**
         * Inline runs take no slot: they are as many as the IO threads at most and end within a short CPU budget, so
         * they cannot pile up the way slow guests do; they neither wait for nor hold back queued requests. (Taking a
         * slot would send inline runs to the workers whenever slow guests fill the slots, where they would queue.)
         */
        @Override
        public GuestResponse tryInline(GuestRequest request) throws GuestException {
            return handler.tryInline(request);
        }

        @Override
        public void close() {
            handler.close();
        }
    }

    /** A permit at once, or after waiting in the bounded queue until {@code deadline}; false if neither. */
    private boolean enter(Semaphore semaphore, long deadline) {
        if (semaphore.tryAcquire()) {
            return true;
        }
        if (waiting.incrementAndGet() > limits.maxQueued()) {
            waiting.decrementAndGet();
            return false;
        }
        try {
            return semaphore.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            waiting.decrementAndGet();
        }
    }
}
