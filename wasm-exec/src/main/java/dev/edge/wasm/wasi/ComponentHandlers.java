package dev.edge.wasm.wasi;

import dev.edge.config.Component;
import dev.edge.config.Executor;
import dev.edge.kv.KeyValueFactor;
import dev.edge.wasm.CompiledModule;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.WasmHttpHandler;
import dev.edge.wasm.WasmLoadException;
import dev.edge.wasm.wagi.WagiHandler;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * One entry point for the gateway: a manifest component behind a trigger's executor becomes a
 * {@link GuestHandler} (the HTTP or WAGI executor), with the component's {@code files} mounted read-only for either executor and guest
 * output going to {@link ExecutorOptions#output()} (use a {@link ComponentLogs} for Spin's
 * {@code <state-dir>/logs/<component>_stdout.txt} / {@code _stderr.txt}).
 */
public final class ComponentHandlers {
    private ComponentHandlers() {}

    /**
     * @param component the manifest component
     * @param executor  the trigger's executor: {@code http} runs the edge guest ABI, {@code wagi} a WASI command
     * @param baseDir   the manifest's directory ({@code files} are relative to it)
     * @param stateDir  the app's state directory ({@code .spin} by default); file copies go to {@code files/}
     * @param keyValues the app's key-value capability (HTTP executor; null for none)
     * @param resolvedVariables the component's variables, templates resolved (HTTP executor's {@code var_get};
     *                  a WAGI guest has no variable access, as in Spin)
     * @param limits    memory cap, deadline, body limits, pool size
     * @param options   instance policy and output sink (WAGI uses only the sink)
     * @param watchdog  shared deadline watchdog (owned by the caller)
     * @return a loaded handler; closing it deletes the file copy
     */
    public static GuestHandler load(Component component, Executor executor, Path baseDir, Path stateDir,
                                    KeyValueFactor keyValues, Map<String, String> resolvedVariables,
                                    GuestLimits limits, ExecutorOptions options, DeadlineWatchdog watchdog)
            throws WasmLoadException {
        if (executor.type() == Executor.Type.WAGI) {
            return WagiHandler.load(component, executor, baseDir, stateDir, limits, options.output(), watchdog,
                    options.guestMemory());
        }
        CompiledModule module = CompiledModule.loadHttp(component.id(), component.source(), component.sourceDigest(),
                limits.maxMemoryBytes(), options.compileCache());
        GuestFiles files = GuestFiles.forComponent(component, baseDir, stateDir);
        WasmHttpHandler handler = new WasmHttpHandler(module, keyValues, Set.copyOf(component.keyValueStores()),
                component.environment(), resolvedVariables, limits, options, watchdog, files);
        try {
            handler.warmUp();
        } catch (WasmLoadException | RuntimeException e) {
            handler.close();
            throw e;
        }
        return handler;
    }
}
