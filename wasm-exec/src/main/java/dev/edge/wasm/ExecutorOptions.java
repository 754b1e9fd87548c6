package dev.edge.wasm;

import java.util.Objects;

/**
 * How a {@link WasmHttpHandler} runs its instances.
 *
 * @param policy            reuse pooled instances or create one per request
 * @param retainMemoryBytes a reused instance whose linear memory grew past this is discarded instead of pooled,
 *                          so an idle pool never pins more than {@code maxPooledInstances * retainMemoryBytes}
 * @param output            where guest stdout/stderr lines go
 */
public record ExecutorOptions(InstancePolicy policy, long retainMemoryBytes, GuestOutputSink output) {

    public ExecutorOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(output, "output");
    }

    public static ExecutorOptions defaults() {
        return new ExecutorOptions(InstancePolicy.REUSE, 16L << 20, GuestOutputSink.slf4j());
    }

    public ExecutorOptions withPolicy(InstancePolicy newPolicy) {
        return new ExecutorOptions(newPolicy, retainMemoryBytes, output);
    }

    public ExecutorOptions withOutput(GuestOutputSink newOutput) {
        return new ExecutorOptions(policy, retainMemoryBytes, newOutput);
    }
}
