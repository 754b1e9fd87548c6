package dev.edge.component.runtime;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.edge.wasm.CompileCache;
import java.io.IOException;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses and compiles a component's core module once. Functions too large for one JVM method (the
 * JavaScript engine in componentize-js output has a few) stay interpreted. With the module's classes in the
 * on-disk compile cache, only what the classes do not cover is parsed.
 */
final class CoreModules {
    private static final Logger LOG = LoggerFactory.getLogger(CoreModules.class);
    private static final boolean SPLIT = !"false".equals(System.getProperty("edge.splitLargeFunctions"));

    private CoreModules() {}

    record Compiled(WasmModule module, Function<Instance, Machine> machineFactory) {}

    /** {@code cache} (Chicory's compiled-class cache, e.g. on disk) may be null. */
    static Compiled compile(byte[] bytes, int ordinal, Cache cache) throws ComponentLoadException {
        // Functions too large for one JVM method are split so that they compile too (FunctionSplitter);
        // -Dedge.splitLargeFunctions=false leaves them to Chicory's interpreter (for comparisons).
        return SPLIT ? compile(bytes, ordinal, cache, FunctionSplitter.ID, FunctionSplitter::split)
                : compile(bytes, ordinal, cache, null, null);
    }

    /** With {@code splitter} (named by {@code splitterId} in the split cache) applied first, when not null. */
    static Compiled compile(byte[] bytes, int ordinal, Cache cache, String splitterId, UnaryOperator<byte[]> splitter)
            throws ComponentLoadException {
        String digest = null; // Chicory's digest of bytes, when known without hashing them
        if (splitter != null && cache instanceof CompileCache disk) {
            // A warm start takes the split module (and its digest) from the cache rather than splitting again.
            SplitCache.Split split = SplitCache.split(disk.dir(), bytes, splitterId, splitter);
            bytes = split.bytes();
            digest = split.chicoryDigest();
        } else if (splitter != null) {
            bytes = splitter.apply(bytes);
        }
        if (cache instanceof CompileCache disk) {
            Compiled precompiled = precompiled(bytes, digest, ordinal, disk);
            if (precompiled != null) {
                return precompiled;
            }
        }
        WasmModule module;
        try {
            module = Parser.parse(bytes);
        } catch (RuntimeException e) {
            throw new ComponentLoadException("core module #" + ordinal + " is invalid: " + e.getMessage());
        }
        try {
            return new Compiled(module, compile(module, cache));
        } catch (RuntimeException e) {
            // An intact entry whose classes do not load: drop it and compile anew.
            if (cache instanceof CompileCache disk && module.digest() != null && disk.holds(bytes)) {
                try {
                    disk.evict(module.digest());
                    return new Compiled(module, compile(module, cache));
                } catch (IOException | RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            throw new ComponentLoadException("core module #" + ordinal + " cannot be compiled: " + e.getMessage());
        }
    }

    private static Function<Instance, Machine> compile(WasmModule module, Cache cache) {
        MachineFactoryCompiler.Builder compiler = MachineFactoryCompiler.builder(module)
                .withInterpreterFallback(InterpreterFallback.SILENT);
        if (cache != null) {
            compiler.withCache(cache);
        }
        return compiler.compile();
    }

    /**
     * The module from its cached classes without parsing the bodies they cover ({@link PrecompiledModule}),
     * or null to parse and compile it in full: no entry, a corrupted one (deleted by the cache), one whose
     * classes do not load (deleted here), or one that does not say which functions are interpreted.
     */
    private static Compiled precompiled(byte[] bytes, String digest, int ordinal, CompileCache cache)
            throws ComponentLoadException {
        byte[] classes;
        try {
            classes = digest != null ? cache.get(digest) : cache.classesOf(bytes);
        } catch (IOException e) {
            return null;
        }
        if (classes == null) {
            return null;
        }
        try {
            Compiled compiled = PrecompiledModule.load(bytes, classes).orElse(null);
            if (compiled == null) {
                LOG.info("core module #{}: the compile cache entry does not say which functions are interpreted;"
                        + " parsing the whole module", ordinal);
            }
            return compiled;
        } catch (RuntimeException e) {
            try {
                cache.evict(digest != null ? digest : CompileCache.chicoryDigest(bytes));
            } catch (IOException io) {
                throw new ComponentLoadException("core module #" + ordinal + ": cannot delete its compile cache entry: "
                        + io.getMessage());
            }
            return null;
        }
    }
}
