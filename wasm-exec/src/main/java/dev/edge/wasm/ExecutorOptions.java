package dev.edge.wasm;

import java.util.Objects;

/**
 * How a {@link WasmHttpHandler} runs its instances.
 *
 * @param policy            reuse pooled instances or create one per request
 * @param retainMemoryBytes a reused instance whose linear memory grew past this is discarded instead of pooled,
 *                          so an idle pool never pins more than {@code maxPooledInstances * retainMemoryBytes}
 * @param output            where guest stdout/stderr lines go
 * @param guestMemory       the budget every instance's linear memory is reserved from, shared by all handlers
 *                          (pooled instances keep theirs until discarded)
 */
public record ExecutorOptions(InstancePolicy policy, long retainMemoryBytes, GuestOutputSink output,
                              MemoryBudget guestMemory) {

    public ExecutorOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(guestMemory, "guestMemory");
    }

    /** Reused instances, SLF4J output, and the process-wide {@link MemoryBudget#guestDefault()}. */
    public static ExecutorOptions defaults() {
        return new ExecutorOptions(InstancePolicy.REUSE, 16L << 20, GuestOutputSink.slf4j(), MemoryBudget.guestDefault());
    }

    public ExecutorOptions withPolicy(InstancePolicy newPolicy) {
        return new ExecutorOptions(newPolicy, retainMemoryBytes, output, guestMemory);
    }

    public ExecutorOptions withOutput(GuestOutputSink newOutput) {
        return new ExecutorOptions(policy, retainMemoryBytes, newOutput, guestMemory);
    }

    public ExecutorOptions withGuestMemory(MemoryBudget budget) {
        return new ExecutorOptions(policy, retainMemoryBytes, output, budget);
    }
}
