package dev.edge.wasm;

import dev.edge.kv.KeyValueFactor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Test guests built by scripts/build-wasm.sh from src/test/guests, and helpers to run them. */
final class Guests {
    private Guests() {}

    static final Path DIR = Path.of("src/test/resources/guests");
    static final Path TUTORIAL = Path.of("../examples/hello-key-value-store/target/hello-key-value-store.wasm");

    static Path guest(String name) {
        return DIR.resolve(name + ".wasm");
    }

    static GuestLimits limits(Duration deadline) {
        return new GuestLimits(32L << 20, deadline, 10L << 20, 1L << 20, 8);
    }

    static WasmHttpHandler handler(Path wasm, KeyValueFactor kv, Set<String> grants, GuestLimits limits,
                                   ExecutorOptions options, DeadlineWatchdog watchdog) throws WasmLoadException {
        CompiledModule module = compiled(wasm, limits.maxMemoryBytes());
        WasmHttpHandler handler = new WasmHttpHandler(module, kv, grants, Map.of("GREETING", "hi from env"),
                Map.of("api_base", "https://api.example"), limits,
                options, watchdog);
        handler.warmUp();
        return handler;
    }

    private static final Map<String, CompiledModule> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

    /** Compiling takes a few hundred ms, so each module is compiled once per test JVM and shared. */
    static CompiledModule compiled(Path wasm, long maxMemoryBytes) throws WasmLoadException {
        String cacheKey = wasm + "@" + maxMemoryBytes;
        CompiledModule module = COMPILED.get(cacheKey);
        if (module == null) {
            module = CompiledModule.loadHttp(wasm.getFileName().toString().replace(".wasm", ""), wasm,
                    Optional.empty(), maxMemoryBytes);
            COMPILED.put(cacheKey, module);
        }
        return module;
    }

    static GuestRequest request(String method, String uri, String body, String... headerPairs) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.add(Map.entry(headerPairs[i], headerPairs[i + 1]));
        }
        return new GuestRequest(method, uri, headers, body.getBytes(StandardCharsets.UTF_8), "127.0.0.1:5555",
                "HTTP/1.1");
    }

    static String text(GuestResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static String header(GuestResponse response, String name) {
        return response.headers().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }
}
