package dev.edge.loadtest;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.Import;
import dev.edge.wasm.CompileCache;
import dev.edge.wasm.CompiledModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Start-up cost of a component's big core module with the on-disk compile cache: extracts the largest
 * core module from a component, loads it through {@link CompiledModule} with {@link CompileCache} (parse,
 * then compile or read the cached classes), instantiates it (imports stubbed) and calls its
 * {@code check_init} export. Run it twice on the same cache directory: the first run is the cold start, the
 * second the warm one.
 *
 * <pre>java -Xmx4g -cp loadtest/target/benchmarks.jar dev.edge.loadtest.CompileCacheStartup COMPONENT.wasm CACHE_DIR</pre>
 */
public final class CompileCacheStartup {
    private CompileCacheStartup() {}

    public static void main(String[] args) throws Exception {
        Path component = Path.of(args[0]);
        Path cacheDir = Path.of(args[1]);
        Path core = Files.createTempFile("core", ".wasm");
        try {
            byte[] module = largestCoreModule(Files.readAllBytes(component));
            Files.write(core, module);
            System.out.printf("core module: %,d bytes%n", module.length);
            long before = usedHeap();
            long t0 = System.nanoTime();
            CompileCache cache = CompileCache.at(cacheDir);
            CompiledModule compiled = CompiledModule.load("bench", core, Optional.empty(), 1L << 30, Optional.of(cache));
            long t1 = System.nanoTime();
            Instance instance = Instance.builder(compiled.module()).withImportValues(stubs(compiled))
                    .withMachineFactory(compiled.machineFactory()).withStart(false).build();
            long t2 = System.nanoTime();
            long[] init = instance.export("check_init").apply();
            long t3 = System.nanoTime();
            System.out.printf("cache: hits=%d misses=%d corrupt=%d%n", cache.hits(), cache.misses(), cache.corrupt());
            System.out.printf("load (parse + %s): %.1f s%n", cache.hits() > 0 ? "cached classes" : "compile",
                    (t1 - t0) / 1e9);
            System.out.printf("instantiate: %.0f ms; check_init() = %s in %.0f ms%n", (t2 - t1) / 1e6,
                    Arrays.toString(init), (t3 - t2) / 1e6);
            long p0 = System.nanoTime();
            com.dylibso.chicory.wasm.Parser.parse(module);
            System.out.printf("parse alone (a second parse, for reference): %.1f s%n", (System.nanoTime() - p0) / 1e9);
            System.out.printf("heap in use after load, GC'd: %d MiB more than before%n",
                    (usedHeap() - before) >> 20);
            try (var files = Files.list(cacheDir)) {
                files.forEach(f -> System.out.printf("cache entry %s: %,d bytes%n", f.getFileName(), f.toFile().length()));
            }
        } finally {
            Files.deleteIfExists(core);
        }
    }

    private static ImportValues stubs(CompiledModule compiled) {
        var module = compiled.module();
        ImportValues.Builder imports = ImportValues.builder();
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            if (imp.importType() == ExternalType.FUNCTION) {
                var type = module.typeSection().getType(((FunctionImport) imp).typeIndex());
                String name = imp.module() + "." + imp.name();
                imports.addFunction(new HostFunction(imp.module(), imp.name(), type, (inst, a) -> {
                    throw new IllegalStateException("stub import called: " + name);
                }));
            }
        }
        return imports.build();
    }

    /** The largest core-module section (id 1) at the top level of a component. */
    static byte[] largestCoreModule(byte[] component) {
        byte[] best = null;
        int pos = 8;
        while (pos < component.length) {
            int id = component[pos++];
            long size = 0;
            int shift = 0;
            int b;
            do {
                b = component[pos++] & 0xff;
                size |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if (id == 1 && (best == null || size > best.length)) {
                best = Arrays.copyOfRange(component, pos, pos + (int) size);
            }
            pos += (int) size;
        }
        if (best == null) {
            throw new IllegalArgumentException("no core module in the component");
        }
        return best;
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
