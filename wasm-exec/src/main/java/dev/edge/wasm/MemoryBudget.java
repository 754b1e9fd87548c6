package dev.edge.wasm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte budget shared by many holders, so that together they cannot exhaust the heap: guest linear
 * memory across every instance of every component, or request and response bodies buffered at once.
 * A holder reserves before it allocates and releases what it freed; a reservation that does not fit
 * is refused, never waited for. Before refusing, it asks the registered {@link Reclaimer}s (pools of idle
 * instances) to give memory back, so idle instances never starve a holder that has work to do. Lock-free.
 */
public final class MemoryBudget {
    /** Guest memory gets this share of the JVM's max heap unless configured. */
    public static final double DEFAULT_GUEST_HEAP_SHARE = 0.5;
    /** Buffered bodies get this share of the JVM's max heap unless configured. */
    public static final double DEFAULT_BODY_HEAP_SHARE = 0.2;
    /** The sizing rule: all budgets together stay within this share of the max heap (the rest is the gateway's). */
    public static final double MAX_HEAP_SHARE = 0.75;

    private static final class GuestDefault {
        static final MemoryBudget INSTANCE = ofHeapShare("guest memory", DEFAULT_GUEST_HEAP_SHARE);
    }

    private static final class BodyDefault {
        static final MemoryBudget INSTANCE = ofHeapShare("body buffers", DEFAULT_BODY_HEAP_SHARE);
    }

    private final String name;
    private final long capacity;
    private final AtomicLong used = new AtomicLong();
    private final java.util.List<Reclaimer> reclaimers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Something holding memory it does not need right now (idle instances), which it can give back on demand. */
    @FunctionalInterface
    public interface Reclaimer {
        /** Frees about {@code bytes} (releasing them to the budget) if it can; returns how many it freed. */
        long reclaim(long bytes);
    }

    public MemoryBudget(String name, long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException(name + " budget must be positive");
        }
        this.name = name;
        this.capacity = capacityBytes;
    }

    /** A budget of {@code share} of {@link Runtime#maxMemory()}. */
    public static MemoryBudget ofHeapShare(String name, double share) {
        return new MemoryBudget(name, (long) (Runtime.getRuntime().maxMemory() * share));
    }

    /**
     * The process-wide guest memory budget that {@link ExecutorOptions#defaults()} uses: half the max heap, shared
     * by every handler that does not get another one.
     */
    public static MemoryBudget guestDefault() {
        return GuestDefault.INSTANCE;
    }

    /**
     * The process-wide body-buffer budget: a fifth of the max heap, shared by the ingress's request bodies and
     * guests' response buffers unless they get another one.
     */
    public static MemoryBudget bodyDefault() {
        return BodyDefault.INSTANCE;
    }

    /**
     * Asks {@code reclaimer} to give memory back whenever a reservation does not fit.
     *
     * @return closing it unregisters the reclaimer
     */
    public Registration onPressure(Reclaimer reclaimer) {
        reclaimers.add(reclaimer);
        return () -> reclaimers.remove(reclaimer);
    }

    /** A reclaimer's registration; unregistering cannot fail. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Reserves {@code bytes} if they fit, after reclaiming idle memory if they do not at first; returns false (and
     * reserves nothing) otherwise.
     */
    public boolean tryReserve(long bytes) {
        if (bytes <= 0 || reserve(bytes)) {
            return true;
        }
        for (Reclaimer reclaimer : reclaimers) {
            reclaimer.reclaim(Math.max(1, used.get() + bytes - capacity));
            if (reserve(bytes)) {
                return true;
            }
        }
        return false;
    }

    private boolean reserve(long bytes) {
        long now;
        do {
            now = used.get();
            if (now + bytes > capacity || now + bytes < 0) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    public void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    public String name() { return name; }

    public long capacity() { return capacity; }

    public long used() { return used.get(); }

    /**
     * Checks the sizing rule: {@code budgets} together within {@link #MAX_HEAP_SHARE} of {@code maxHeap}.
     *
     * @return empty if they fit, else one line that says by how much they do not
     */
    public static java.util.Optional<String> checkFitsHeap(long maxHeap, MemoryBudget... budgets) {
        long total = 0;
        StringBuilder parts = new StringBuilder();
        for (MemoryBudget b : budgets) {
            total += b.capacity;
            parts.append(parts.length() == 0 ? "" : " + ").append(b.name).append(' ').append(mib(b.capacity));
        }
        long allowed = (long) (maxHeap * MAX_HEAP_SHARE);
        if (total <= allowed) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("memory budgets (" + parts + " = " + mib(total) + ") exceed "
                + Math.round(MAX_HEAP_SHARE * 100) + "% of the JVM max heap (" + mib(maxHeap)
                + "); raise -Xmx to at least " + mib((long) (total / MAX_HEAP_SHARE)) + " or lower the budgets");
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    @Override
    public String toString() {
        return name + " budget " + mib(used()) + " of " + mib(capacity) + " used";
    }
}
