package dev.edge.loadtest.kv;

import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.StoreBackend;
import dev.edge.wasm.CompiledModule;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.WasmHttpHandler;
import dev.edge.wasm.WasmLoadException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A guest module wired to one backend as the "default" store, the way the gateway wires a component. */
final class GuestHandlers {
    /** Paths relative to the repository root (run the tools from there). */
    static final Path TUTORIAL = Path.of("examples/hello-key-value-store/target/hello-key-value-store.wasm");
    static final Path ATOMICS = Path.of("gateway/src/test/resources/guests/kv_atomics.wasm");

    private GuestHandlers() {}

    static WasmHttpHandler load(Path wasm, String appName, StoreBackend backend, DeadlineWatchdog watchdog)
            throws WasmLoadException {
        GuestLimits limits = GuestLimits.defaults();
        CompiledModule module = CompiledModule.loadHttp("bench", wasm, Optional.empty(), limits.maxMemoryBytes());
        KeyValueFactor keyValues = new KeyValueFactor(appName, Map.of("default", backend));
        WasmHttpHandler handler = new WasmHttpHandler(module, keyValues, Set.of("default"), Map.of(), Map.of(),
                limits, ExecutorOptions.defaults(), watchdog);
        handler.warmUp();
        return handler;
    }

    static GuestRequest request(String method, String uri, String body) {
        return new GuestRequest(method, uri, List.of(), body.getBytes(StandardCharsets.UTF_8), "127.0.0.1:40000",
                "HTTP/1.1");
    }
}
