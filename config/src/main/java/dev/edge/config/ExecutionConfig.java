package dev.edge.config;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How one edge node executes requests, {@code [execution]} in the runtime config (an edge extension): the
 * node-wide memory budgets and the admission limits for guests. An empty value means "sized by the gateway"
 * from the JVM's max heap or the machine's cores (docs/runtime-config.md gives the rules).
 *
 * @param guestMemoryBudget      linear memory of all guest instances together
 * @param bodyBufferBudget       request and response bodies buffered at once
 * @param maxConcurrentGuests    guests executing at once, node-wide
 * @param maxQueuedGuests        requests waiting for a slot; past it 503 with Retry-After
 * @param maxConcurrentPerComponent guests of one component executing at once (its bulkhead)
 */
public record ExecutionConfig(OptionalLong guestMemoryBudget, OptionalLong bodyBufferBudget,
                              OptionalInt maxConcurrentGuests, OptionalInt maxQueuedGuests,
                              OptionalInt maxConcurrentPerComponent) {
    public static final ExecutionConfig DEFAULTS = new ExecutionConfig(OptionalLong.empty(), OptionalLong.empty(),
            OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
}
