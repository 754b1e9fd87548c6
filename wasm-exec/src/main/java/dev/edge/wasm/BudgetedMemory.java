package dev.edge.wasm;

import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.runtime.Memory;

/**
 * An instance's linear memory whose pages are reserved from a shared {@link MemoryBudget} before they are
 * allocated. {@code memory.grow} that the budget cannot cover fails exactly as past the instance's own
 * {@code max_memory} (it returns -1, so {@code malloc} returns NULL): the guest that asked gets its memory
 * error, and no thread gets an {@link OutOfMemoryError}.
 */
public interface BudgetedMemory extends Memory {

    /**
     * A {@link PagedMemory}, or for a shared memory one that delegates to Chicory's (which has the atomics).
     *
     * @throws GuestMemoryExhausted if the budget cannot cover the module's initial pages
     */
    static BudgetedMemory allocate(MemoryLimits limits, MemoryBudget budget) {
        return limits.shared() ? SharedBudgetedMemory.allocate(limits, budget) : new PagedMemory(limits, budget);
    }

    /** Gives every reserved byte back; the instance must not run again. Idempotent. */
    void release();
}
