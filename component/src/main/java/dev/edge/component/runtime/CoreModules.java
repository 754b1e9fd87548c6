package dev.edge.component.runtime;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.edge.wasm.CompileCache;
import java.util.function.Function;

/**
 * Parses and compiles a component's core module once. Functions too large for one JVM method (the
 * JavaScript engine in componentize-js output has a few) stay interpreted.
 */
final class CoreModules {
    private static final boolean SPLIT = !"false".equals(System.getProperty("edge.splitLargeFunctions"));
    private static final Parser UNVALIDATED = Parser.builder().withValidation(false).build();

    private CoreModules() {}

    record Compiled(WasmModule module, Function<Instance, Machine> machineFactory) {}

    /** {@code cache} (Chicory's compiled-class cache, e.g. on disk) may be null. */
    static Compiled compile(byte[] bytes, int ordinal, Cache cache) throws ComponentLoadException {
        // Functions too large for one JVM method are split so that they compile too (FunctionSplitter);
        // -Dedge.splitLargeFunctions=false leaves them to Chicory's interpreter (for comparisons).
        if (SPLIT) {
            bytes = FunctionSplitter.split(bytes);
        }
        WasmModule module;
        try {
            // Bytes whose classes the cache holds were validated when they were compiled; validating the
            // 12 MB engine module of a JavaScript component again is about half of its parse on a warm start.
            boolean validated = cache instanceof CompileCache disk && disk.holds(bytes);
            module = validated ? UNVALIDATED.parse(bytes) : Parser.parse(bytes);
        } catch (RuntimeException e) {
            throw new ComponentLoadException("core module #" + ordinal + " is invalid: " + e.getMessage());
        }
        try {
            MachineFactoryCompiler.Builder compiler = MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.SILENT);
            if (cache != null) {
                compiler.withCache(cache);
            }
            return new Compiled(module, compiler.compile());
        } catch (RuntimeException e) {
            throw new ComponentLoadException("core module #" + ordinal + " cannot be compiled: " + e.getMessage());
        }
    }
}
