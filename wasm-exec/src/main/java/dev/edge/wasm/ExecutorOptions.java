package dev.edge.wasm;

import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link WasmHttpHandler} runs its instances.
 *
 * @param policy            reuse pooled instances or create one per request
 * @param retainMemoryBytes a reused instance whose linear memory grew past this is discarded instead of pooled,
 *                          so an idle pool never pins more than {@code maxPooledInstances * retainMemoryBytes}
 * @param output            where guest stdout/stderr lines go
 * @param guestMemory       the budget every instance's linear memory is reserved from, shared by all handlers
 *                          (pooled instances keep theirs until discarded)
 * @param bodyBuffers       the budget guests' response buffers grow within, shared with the ingress's request bodies
 * @param compileCache      where compiled modules are kept between starts (none: compile on every load)
 */
public record ExecutorOptions(InstancePolicy policy, long retainMemoryBytes, GuestOutputSink output,
                              MemoryBudget guestMemory, MemoryBudget bodyBuffers,
                              Optional<CompileCache> compileCache) {

    public ExecutorOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(guestMemory, "guestMemory");
        Objects.requireNonNull(bodyBuffers, "bodyBuffers");
        Objects.requireNonNull(compileCache, "compileCache");
    }

    public ExecutorOptions(InstancePolicy policy, long retainMemoryBytes, GuestOutputSink output,
                           MemoryBudget guestMemory, MemoryBudget bodyBuffers) {
        this(policy, retainMemoryBytes, output, guestMemory, bodyBuffers, Optional.empty());
    }

    /** Reused instances, SLF4J output, the process-wide {@link MemoryBudget#guestDefault()} and {@link MemoryBudget#bodyDefault()}. */
    public static ExecutorOptions defaults() {
        return new ExecutorOptions(InstancePolicy.REUSE, 16L << 20, GuestOutputSink.slf4j(), MemoryBudget.guestDefault(),
                MemoryBudget.bodyDefault());
    }

    public ExecutorOptions withPolicy(InstancePolicy newPolicy) {
        return new ExecutorOptions(newPolicy, retainMemoryBytes, output, guestMemory, bodyBuffers, compileCache);
    }

    public ExecutorOptions withOutput(GuestOutputSink newOutput) {
        return new ExecutorOptions(policy, retainMemoryBytes, newOutput, guestMemory, bodyBuffers, compileCache);
    }

    public ExecutorOptions withGuestMemory(MemoryBudget budget) {
        return new ExecutorOptions(policy, retainMemoryBytes, output, budget, bodyBuffers, compileCache);
    }

    public ExecutorOptions withBodyBuffers(MemoryBudget budget) {
        return new ExecutorOptions(policy, retainMemoryBytes, output, guestMemory, budget, compileCache);
    }

    public ExecutorOptions withCompileCache(CompileCache cache) {
        return new ExecutorOptions(policy, retainMemoryBytes, output, guestMemory, bodyBuffers, Optional.of(cache));
    }
}
