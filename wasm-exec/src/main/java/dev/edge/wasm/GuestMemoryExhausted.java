package dev.edge.wasm;

/**
 * A new instance could not get its initial linear memory from the shared guest {@link MemoryBudget}: the
 * other instances hold it. Transient; the request that needed the instance answers 503.
 */
public final class GuestMemoryExhausted extends RuntimeException {
    public GuestMemoryExhausted(MemoryBudget budget, long bytes) {
        super("cannot reserve " + bytes + " bytes of initial memory: " + budget);
    }
}
