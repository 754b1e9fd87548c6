package dev.edge.gateway;

import dev.edge.config.ExecutionConfig;
import dev.edge.wasm.MemoryBudget;
import java.util.Optional;

/**
 * The node-wide memory budgets of {@code [execution]}: guest linear memory and buffered bodies, each a share of
 * the JVM's max heap unless configured. Sizing rule (docs/runtime-config.md): both together within
 * {@link MemoryBudget#MAX_HEAP_SHARE} of {@code -Xmx}; the rest is the gateway's own (compiled modules,
 * near-cache, Undertow buffers).
 *
 * @param guestMemory linear memory of every guest instance together
 * @param bodies      request and response bodies buffered at once
 */
record NodeBudgets(MemoryBudget guestMemory, MemoryBudget bodies) {

    static NodeBudgets of(ExecutionConfig config) {
        MemoryBudget guest = config.guestMemoryBudget().isPresent()
                ? new MemoryBudget("guest memory", config.guestMemoryBudget().getAsLong())
                : MemoryBudget.guestDefault();
        MemoryBudget bodies = config.bodyBufferBudget().isPresent()
                ? new MemoryBudget("body buffers", config.bodyBufferBudget().getAsLong())
                : MemoryBudget.bodyDefault();
        return new NodeBudgets(guest, bodies);
    }

    /** One line if the budgets do not fit in {@code maxHeap} by the sizing rule; empty if they do. */
    Optional<String> heapWarning(long maxHeap) {
        return MemoryBudget.checkFitsHeap(maxHeap, guestMemory, bodies);
    }
}
