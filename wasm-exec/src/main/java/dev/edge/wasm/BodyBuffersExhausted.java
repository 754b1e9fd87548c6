package dev.edge.wasm;

import com.dylibso.chicory.wasm.ChicoryException;

/**
 * A guest's response buffer could not grow: the node's body-buffer {@link MemoryBudget} is used up by other
 * requests. Transient; the request answers 503 rather than the heap running out.
 */
final class BodyBuffersExhausted extends ChicoryException {
    BodyBuffersExhausted(MemoryBudget budget, long bytes) {
        super("cannot buffer " + bytes + " more response bytes: " + budget); // a ChicoryException ends the guest's call
    }
}
