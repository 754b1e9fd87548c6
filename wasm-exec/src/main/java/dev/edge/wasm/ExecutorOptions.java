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
 * @param compileCache      where compiled modules are kept between starts (none: compile on every load)
 */
public record ExecutorOptions(InstancePolicy policy, long retainMemoryBytes, GuestOutputSink output,
                              Optional<CompileCache> compileCache) {

    public ExecutorOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(compileCache, "compileCache");
    }

    public ExecutorOptions(InstancePolicy policy, long retainMemoryBytes, GuestOutputSink output) {
        this(policy, retainMemoryBytes, output, Optional.empty());
    }

    public static ExecutorOptions defaults() {
        return new ExecutorOptions(InstancePolicy.REUSE, 16L << 20, GuestOutputSink.slf4j());
    }

    public ExecutorOptions withPolicy(InstancePolicy newPolicy) {
        return new ExecutorOptions(newPolicy, retainMemoryBytes, output, compileCache);
    }

    public ExecutorOptions withOutput(GuestOutputSink newOutput) {
        return new ExecutorOptions(policy, retainMemoryBytes, newOutput, compileCache);
    }

    public ExecutorOptions withCompileCache(CompileCache cache) {
        return new ExecutorOptions(policy, retainMemoryBytes, output, Optional.of(cache));
    }
}
