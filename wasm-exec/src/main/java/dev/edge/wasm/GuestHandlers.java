package dev.edge.wasm;

import dev.edge.config.Component;
import dev.edge.config.Executor;
import dev.edge.kv.KeyValueFactor;
import java.util.Map;

/** The one entry point the gateway needs: a component plus its trigger's executor to a ready {@link GuestHandler}. */
public final class GuestHandlers {
    private GuestHandlers() {}

    /**
     * Loads {@code component} for {@code executor}: the edge guest ABI for {@code http} (pooled instances),
     * CGI over WASI for {@code wagi} (an instance per request, no key-value access).
     *
     * @param keyValues         the application's stores (null if none are configured)
     * @param resolvedVariables the component's variables with every template already resolved (what
     *                          {@code var_get} returns); empty if the component declares none
     * @param watchdog          shared by every handler of the gateway; closed by the caller at shutdown
     * @throws WasmLoadException naming the component, the file and the reason
     */
    public static GuestHandler load(Component component, Executor executor, KeyValueFactor keyValues,
                                    Map<String, String> resolvedVariables, GuestLimits limits,
                                    ExecutorOptions options, DeadlineWatchdog watchdog) throws WasmLoadException {
        if (executor.type() == Executor.Type.WAGI) {
            return WagiHandler.load(component, executor, limits, options, watchdog);
        }
        return WasmHttpHandler.load(component, keyValues, resolvedVariables, limits, options, watchdog);
    }
}
