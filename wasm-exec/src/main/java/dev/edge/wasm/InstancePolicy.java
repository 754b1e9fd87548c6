package dev.edge.wasm;

/**
 * Whether a guest instance serves more than one request.
 *
 * <p>Spin creates a fresh instance for every request: no state can leak from one request to the next,
 * at the cost of instantiating (memory allocation, data segments, {@code _initialize}) every time.
 * {@link #REUSE} (edge's default) keeps healthy instances in a per-component pool: a request then costs
 * a few microseconds instead of tens, but a guest's globals and heap survive between requests of the
 * same component (never across components, and an instance never serves two requests at once). An
 * instance that trapped, was interrupted or overflowed its response is always discarded.
 */
public enum InstancePolicy {
    /** Pool instances and reuse them across requests of the same component. */
    REUSE,
    /** A fresh instance per request, as Spin does. */
    FRESH
}
