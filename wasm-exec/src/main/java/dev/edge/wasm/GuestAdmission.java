package dev.edge.wasm;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Admission control for guests, node-wide: at most {@link Limits#maxConcurrent()} guests execute at once, at most
 * {@link Limits#maxPerComponent()} of them for any one component (its bulkhead, so one app's slow guests cannot
 * take every slot), and at most {@link Limits#maxQueued()} requests wait for a slot, each for at most
 * {@link Limits#maxWait()}. Past the queue bound the answer is 503 with {@code Retry-After} at once, without
 * waiting; a request that waited too long gets the same.
 *
 * <p>A waiting request need not hold a thread: {@link #enter} queues a callback that runs when a slot frees (the
 * ingress parks the exchange there and dispatches it to a worker only once admitted). {@link GuestHandler#handle}
 * on an admitted handler waits on its thread, for callers that have one to spare; inside {@link Permit#run} it
 * uses the permit already held. A queued request past {@code maxWait} is refused when the queue is next looked at
 * (a slot freeing or a request arriving), so its wait ends at most one guest deadline late. Health and static
 * responses never need a slot ({@code InlineAnswers} in routes), nor do guests run inline.
 */
public final class GuestAdmission {

    /**
     * @param maxConcurrent   guests executing at once, node-wide
     * @param maxQueued       requests waiting for a slot; 0 means none wait
     * @param maxPerComponent guests of one component executing at once
     * @param maxWait         longest wait for a slot before 503
     */
    public record Limits(int maxConcurrent, int maxQueued, int maxPerComponent, Duration maxWait) {
        /** The default queue per slot ({@link #forMachine}). */
        public static final int QUEUED_PER_SLOT = 64;

        public Limits {
            if (maxConcurrent < 1 || maxQueued < 0 || maxPerComponent < 1 || maxWait.isNegative()) {
                throw new IllegalArgumentException("invalid admission limits");
            }
            maxPerComponent = Math.min(maxPerComponent, maxConcurrent);
        }

        /**
         * Sized to the machine: two guests per core (guests mostly compute, and wait on Redis briefly), 64 times as
         * many waiting (a queued request holds no thread, only its exchange and its already budgeted body, so a burst
         * of clients waits its turn rather than getting 503s; {@code maxWait} bounds how long), and each component
         * may take all but a quarter of the slots when there are several.
         */
        public static Limits forMachine(int cores, int components, Duration maxWait) {
            int concurrent = Math.max(4, 2 * cores);
            return new Limits(concurrent, QUEUED_PER_SLOT * concurrent, perComponent(concurrent, components), maxWait);
        }

        /** A component's default bulkhead: every slot if it is alone, else all but a quarter of them. */
        public static int perComponent(int concurrent, int components) {
            return components <= 1 ? concurrent : Math.max(1, concurrent - Math.max(1, concurrent / 4));
        }
    }

    private static final ThreadLocal<Permit> HELD = new ThreadLocal<>();

    private final Limits limits;
    private final Object lock = new Object();
    private int freeSlots; // guarded by lock
    private final Map<String, int[]> freeByComponent = new HashMap<>(); // guarded by lock
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>(); // guarded by lock
    private volatile int waiting;
    private volatile int executing;
    private final LongAdder rejected = new LongAdder();

    public GuestAdmission(Limits limits) {
        this.limits = limits;
        this.freeSlots = limits.maxConcurrent();
    }

    public Limits limits() { return limits; }

    /** Requests waiting for a slot right now. */
    public int waiting() { return waiting; }

    /** Requests answered 503 because no slot came free in time (or the queue was full), since start. */
    public long rejected() { return rejected.sum(); }

    /** Guests executing right now. */
    public int executing() { return executing; }

    /** {@code handler} behind this admission control. */
    public GuestHandler admit(GuestHandler handler) {
        return new Admitted(handler);
    }

    /** A slot held (node-wide and in its component's bulkhead); {@link #release} gives it to the next waiter. */
    public final class Permit {
        private final String componentId;
        private final AtomicBoolean released = new AtomicBoolean();
        private boolean used;

        private GuestAdmission owner() { return GuestAdmission.this; }

        private Permit(String componentId) {
            this.componentId = componentId;
        }

        /**
         * Runs {@code task} on this thread holding the permit, then releases it: the first {@code handle} of this
         * component's admitted handler inside it runs without asking for another slot.
         */
        public void run(Runnable task) {
            Permit outer = HELD.get();
            HELD.set(this);
            try {
                task.run();
            } finally {
                if (outer == null) {
                    HELD.remove();
                } else {
                    HELD.set(outer);
                }
                release();
            }
        }

        /** Gives the slot back (once; later calls do nothing). */
        public void release() {
            if (released.compareAndSet(false, true)) {
                GuestAdmission.this.release(componentId);
            }
        }
    }

    private record Waiter(String componentId, Consumer<Permit> admitted, Runnable refused, long deadline) {}

    /**
     * Asks for a slot for {@code componentId} without blocking. Exactly one of the callbacks runs, once:
     * {@code admitted} with the permit (at once on this thread, or later on the thread that frees a slot), or
     * {@code refused} (at once if the queue is full, or later once the request has waited past {@code maxWait}).
     * Callbacks must be quick: they run on whichever thread released a slot.
     */
    public void enter(String componentId, Consumer<Permit> admitted, Runnable refused) {
        enqueue(componentId, admitted, refused);
    }

    /** As {@link #enter}; returns the waiter if it was queued (null if decided at once). */
    private Waiter enqueue(String componentId, Consumer<Permit> admitted, Runnable refused) {
        List<Waiter> expired;
        Waiter queued = null;
        boolean admittedNow = false;
        boolean refusedNow = false;
        synchronized (lock) {
            expired = dropExpired(System.nanoTime());
            int[] free = freeByComponent.computeIfAbsent(componentId, id -> new int[] {limits.maxPerComponent()});
            // Every queued waiter is held back by a full slot count or its own full bulkhead (release() admits any
            // other), so a free slot and bulkhead here overtake nobody who could run.
            if (freeSlots > 0 && free[0] > 0) {
                freeSlots--;
                free[0]--;
                executing++;
                admittedNow = true;
            } else if (queue.size() >= limits.maxQueued()) {
                refusedNow = true;
            } else {
                queued = new Waiter(componentId, admitted, refused, System.nanoTime() + limits.maxWait().toNanos());
                queue.addLast(queued);
                waiting = queue.size();
            }
        }
        expired.forEach(this::refuse);
        if (admittedNow) {
            admitted.accept(new Permit(componentId));
        } else if (refusedNow) {
            rejected.increment();
            refused.run();
        }
        return queued;
    }

    private void release(String componentId) {
        List<Waiter> expired;
        Waiter next = null;
        synchronized (lock) {
            freeSlots++;
            freeByComponent.get(componentId)[0]++;
            executing--;
            expired = dropExpired(System.nanoTime());
            // The first waiter whose component has room: a full bulkhead does not hold back other components.
            for (Iterator<Waiter> it = queue.iterator(); it.hasNext() && freeSlots > 0; ) {
                Waiter w = it.next();
                int[] free = freeByComponent.get(w.componentId());
                if (free[0] > 0) {
                    it.remove();
                    freeSlots--;
                    free[0]--;
                    executing++;
                    next = w;
                    break;
                }
            }
            waiting = queue.size();
        }
        expired.forEach(this::refuse);
        if (next != null) {
            next.admitted().accept(new Permit(next.componentId()));
        }
    }

    private void refuse(Waiter expired) {
        rejected.increment();
        expired.refused().run();
    }

    /** Removes waiters past their deadline (guarded by lock); the caller refuses them outside the lock. */
    private List<Waiter> dropExpired(long now) {
        List<Waiter> expired = List.of();
        for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (now - w.deadline() >= 0) {
                it.remove();
                if (expired.isEmpty()) {
                    expired = new ArrayList<>();
                }
                expired.add(w);
            }
        }
        waiting = queue.size();
        return expired;
    }

    private final class Admitted implements GuestHandler {
        private final GuestHandler handler;

        Admitted(GuestHandler handler) {
            this.handler = handler;
        }

        @Override
        public String componentId() { return handler.componentId(); }

        @Override
        public GuestResponse handle(GuestRequest request) throws GuestException {
            Permit held = HELD.get();
            if (held != null && held.owner() == GuestAdmission.this && !held.used
                    && held.componentId.equals(handler.componentId())) {
                held.used = true;
                return handler.handle(request);
            }
            Permit permit = await();
            if (permit == null) {
                return GuestResponse.overloaded();
            }
            try {
                return handler.handle(request);
            } finally {
                permit.release();
            }
        }

        /** A permit, waiting for it on this thread up to maxWait; null if refused. */
        private Permit await() {
            CompletableFuture<Permit> decision = new CompletableFuture<>();
            Waiter waiter = enqueue(handler.componentId(), decision::complete, () -> decision.complete(null));
            try {
                return decision.get(limits.maxWait().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                synchronized (lock) {
                    if (waiter != null && queue.remove(waiter)) {
                        waiting = queue.size();
                        rejected.increment();
                        return null;
                    }
                }
                return decision.join(); // decided meanwhile: the callback is running or has run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                decision.thenAccept(p -> { if (p != null) p.release(); });
                synchronized (lock) {
                    if (waiter != null && queue.remove(waiter)) {
                        waiting = queue.size();
                    }
                }
                return null;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        /** Its component's slot, without blocking: see {@link GuestAdmission#enter}. */
        @Override
        public void enter(Consumer<Permit> admitted, Runnable refused) {
            GuestAdmission.this.enter(handler.componentId(), admitted, refused);
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
}
