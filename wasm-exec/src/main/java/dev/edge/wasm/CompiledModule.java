package dev.edge.wasm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A component's module, parsed, checked and compiled to JVM bytecode once; every instance of the
 * component shares it ({@code MachineFactoryCompiler.compile} per instance would recompile each time).
 */
public final class CompiledModule {
    private final String componentId;
    private final Path source;
    private final WasmModule module;
    private final Function<Instance, Machine> machineFactory;
    private final MemoryLimits memoryLimits;
    private final Map<String, ExternalType> exports;

    private CompiledModule(String componentId, Path source, WasmModule module,
                           Function<Instance, Machine> machineFactory, MemoryLimits memoryLimits,
                           Map<String, ExternalType> exports) {
        this.componentId = componentId;
        this.source = source;
        this.module = module;
        this.machineFactory = machineFactory;
        this.memoryLimits = memoryLimits;
        this.exports = exports;
    }

    /**
     * Reads, verifies ({@code digest} is {@code sha256:<hex>} when present), parses and compiles a module
     * for the HTTP executor: it must export {@code memory}, {@code edge_alloc} and {@code edge_http_handle}.
     */
    public static CompiledModule loadHttp(String componentId, Path source, Optional<String> digest,
                                          long maxMemoryBytes) throws WasmLoadException {
        return loadHttp(componentId, source, digest, maxMemoryBytes, Optional.empty());
    }

    /** {@link #loadHttp(String, Path, Optional, long)}, taking the compiled classes from {@code cache} when it has them. */
    public static CompiledModule loadHttp(String componentId, Path source, Optional<String> digest,
                                          long maxMemoryBytes, Optional<CompileCache> cache) throws WasmLoadException {
        CompiledModule compiled = load(componentId, source, digest, maxMemoryBytes, cache);
        compiled.requireExport(GuestAbi.EXPORT_MEMORY, ExternalType.MEMORY);
        compiled.requireExport(GuestAbi.EXPORT_ALLOC, ExternalType.FUNCTION);
        compiled.requireExport(GuestAbi.EXPORT_HANDLE, ExternalType.FUNCTION);
        compiled.checkImports();
        return compiled;
    }

    /**
     * Like {@link #loadHttp} for the WAGI executor: the module must export {@code memory} and the
     * {@code entrypoint} function, and may import only WASI preview 1.
     */
    public static CompiledModule loadWagi(String componentId, Path source, Optional<String> digest,
                                          long maxMemoryBytes, String entrypoint) throws WasmLoadException {
        CompiledModule compiled = load(componentId, source, digest, maxMemoryBytes);
        compiled.requireExport(entrypoint, ExternalType.FUNCTION, "the WAGI entrypoint");
        compiled.requireExport(GuestAbi.EXPORT_MEMORY, ExternalType.MEMORY, "needed for WASI");
        for (int i = 0; i < compiled.module.importSection().importCount(); i++) {
            Import imp = compiled.module.importSection().getImport(i);
            if (imp.importType() != ExternalType.FUNCTION || !GuestAbi.WASI_MODULE.equals(imp.module())) {
                throw new WasmLoadException(componentId, source, "unknown import " + kind(imp.importType()) + " '"
                        + imp.module() + "." + imp.name() + "' (a WAGI module may import only wasi_snapshot_preview1)",
                        null);
            }
        }
        return compiled;
    }

    /** Reads, verifies, parses and compiles a module; no ABI checks. */
    public static CompiledModule load(String componentId, Path source, Optional<String> digest,
                                      long maxMemoryBytes) throws WasmLoadException {
        return load(componentId, source, digest, maxMemoryBytes, Optional.empty());
    }

    /** {@link #load(String, Path, Optional, long)} with the compiled classes from {@code cache} when it has them. */
    public static CompiledModule load(String componentId, Path source, Optional<String> digest,
                                      long maxMemoryBytes, Optional<CompileCache> cache) throws WasmLoadException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(source);
        } catch (NoSuchFileException e) {
            throw new WasmLoadException(componentId, source, "file not found", null);
        } catch (IOException e) {
            throw new WasmLoadException(componentId, source, "cannot read file (" + e.getMessage() + ")", null);
        }
        if (digest.isPresent()) {
            verifyDigest(componentId, source, bytes, digest.get());
        }
        if (bytes.length < 8 || bytes[0] != 0 || bytes[1] != 'a' || bytes[2] != 's' || bytes[3] != 'm') {
            throw new WasmLoadException(componentId, source, "not a WebAssembly module (bad magic number)", null);
        }
        if (bytes[4] != 1 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) {
            throw new WasmLoadException(componentId, source,
                    "not a core WebAssembly module (version/layer " + bytes[4] + "," + bytes[5] + "," + bytes[6]
                            + "," + bytes[7] + "; WebAssembly components are not supported, build a core module)",
                    null);
        }
        WasmModule module;
        try {
            module = Parser.parse(bytes);
        } catch (RuntimeException e) {
            throw new WasmLoadException(componentId, source, "invalid module: " + describe(e), null);
        }
        MemoryLimits limits = memoryLimits(componentId, source, module, maxMemoryBytes);
        Function<Instance, Machine> factory;
        try {
            factory = compile(module, cache);
        } catch (RuntimeException e) {
            throw new WasmLoadException(componentId, source, "cannot compile module: " + describe(e), null);
        }
        Map<String, ExternalType> exports = new HashMap<>();
        ExportSection section = module.exportSection();
        for (int i = 0; i < section.exportCount(); i++) {
            Export export = section.getExport(i);
            exports.put(export.name(), export.exportType());
        }
        return new CompiledModule(componentId, source, module, factory, limits, Map.copyOf(exports));
    }

    /** How every module is compiled; part of the compile cache's key. */
    static final String COMPILE_OPTIONS = "interpreter-fallback=WARN";

    /**
     * Compiles to JVM classes. A function too large for one JVM method (the JavaScript engine in a
     * componentize-js component has several) runs in Chicory's interpreter instead of failing the load.
     */
    private static Function<Instance, Machine> compile(WasmModule module, Optional<CompileCache> cache) {
        var builder = MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.WARN);
        if (cache.isEmpty()) {
            return builder.compile();
        }
        builder.withCache(cache.get());
        try {
            return builder.compile();
        } catch (RuntimeException e) {
            // An intact entry whose classes do not load (e.g. written by a different JVM): drop it, compile anew.
            if (module.digest() == null || !Files.exists(cache.get().entry(module.digest()))) {
                throw e;
            }
            try {
                cache.get().evict(module.digest());
            } catch (IOException io) {
                e.addSuppressed(io);
                throw e;
            }
            return MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.WARN)
                    .withCache(cache.get()).compile();
        }
    }

    private static MemoryLimits memoryLimits(String componentId, Path source, WasmModule module, long maxMemoryBytes)
            throws WasmLoadException {
        int capPages = (int) Math.min(MemoryLimits.MAX_PAGES, Math.max(0, maxMemoryBytes / GuestAbi.PAGE_SIZE));
        var memories = module.memorySection();
        if (memories.isEmpty() || memories.get().memoryCount() == 0) {
            return new MemoryLimits(0, capPages);
        }
        MemoryLimits declared = memories.get().getMemory(0).limits();
        if (declared.initialPages() > capPages) {
            throw new WasmLoadException(componentId, source, "module needs " + declared.initialPages()
                    + " initial memory pages (" + ((long) declared.initialPages() * GuestAbi.PAGE_SIZE)
                    + " bytes), more than the limit of " + maxMemoryBytes + " bytes", null);
        }
        return new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), capPages));
    }

    private static void verifyDigest(String componentId, Path source, byte[] bytes, String digest)
            throws WasmLoadException {
        if (!digest.startsWith("sha256:")) {
            throw new WasmLoadException(componentId, source, "unsupported digest '" + digest + "' (expected sha256:<hex>)", null);
        }
        String actual;
        try {
            actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!actual.equalsIgnoreCase(digest.substring("sha256:".length()))) {
            throw new WasmLoadException(componentId, source,
                    "digest mismatch: manifest says " + digest + ", file is sha256:" + actual, null);
        }
    }

    private void requireExport(String name, ExternalType type) throws WasmLoadException {
        requireExport(name, type, "required by the edge guest ABI, see docs/guest-abi.md");
    }

    private void requireExport(String name, ExternalType type, String why) throws WasmLoadException {
        ExternalType actual = exports.get(name);
        if (actual == null) {
            throw new WasmLoadException(componentId, source, "module does not export " + kind(type) + " '" + name
                    + "' (" + why + ")", null);
        }
        if (actual != type) {
            throw new WasmLoadException(componentId, source,
                    "export '" + name + "' is a " + kind(actual) + ", expected a " + kind(type), null);
        }
    }

    private void checkImports() throws WasmLoadException {
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            boolean known = imp.importType() == ExternalType.FUNCTION
                    && (GuestAbi.MODULE.equals(imp.module()) && EdgeHostFunctions.NAMES.contains(imp.name())
                        || GuestAbi.WASI_MODULE.equals(imp.module()));
            if (!known) {
                throw new WasmLoadException(componentId, source, "unknown import " + kind(imp.importType()) + " '"
                        + imp.module() + "." + imp.name() + "' (edge provides module 'edge' functions "
                        + "and wasi_snapshot_preview1)", null);
            }
        }
    }

    private static String kind(ExternalType type) {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A throwable's message, or its class name when it has none: for one-line errors. */
    public static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    public String componentId() { return componentId; }

    public Path source() { return source; }

    public WasmModule module() { return module; }

    /** The compiled machine factory shared by every instance (pass to {@code Instance.Builder#withMachineFactory}). */
    public Function<Instance, Machine> machineFactory() { return machineFactory; }

    /** The limits every instance gets: the module's initial pages, its maximum capped by the component's limit. */
    public MemoryLimits memoryLimits() { return memoryLimits; }

    public boolean exportsFunction(String name) { return exports.get(name) == ExternalType.FUNCTION; }
}
