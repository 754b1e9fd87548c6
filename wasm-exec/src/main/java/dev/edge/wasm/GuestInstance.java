package dev.edge.wasm;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import java.io.InputStream;
import java.util.Map;

/**
 * One instantiated guest with its own host-function bindings, WASI context and request scope. Not
 * thread-safe: the pool hands it to one thread at a time.
 */
final class GuestInstance {
    /** WASI random_get: a shared, thread-safe CSPRNG (Chicory's default is ThreadLocalRandom). */
    static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final Instance instance;
    private final WasiPreview1 wasi;
    private final RequestScope scope;
    private final ExportFunction handle;
    private final GuestOutputStream stdout;
    private final GuestOutputStream stderr;
    private final BudgetedMemory memory;

    private GuestInstance(Instance instance, WasiPreview1 wasi, RequestScope scope, GuestOutputStream stdout,
                          GuestOutputStream stderr, BudgetedMemory memory) {
        this.instance = instance;
        this.memory = memory;
        this.wasi = wasi;
        this.scope = scope;
        this.handle = instance.export(GuestAbi.EXPORT_HANDLE);
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Instantiates {@code module} (memory capped, its pages reserved from {@code memoryBudget}), then runs
     * {@code _initialize} if the module exports it. Its response buffer grows within {@code bodyBuffers}.
     * {@code wasiSetup} adds the component's extra WASI setup
     * (e.g. read-only file preopens).
     *
     * @throws GuestMemoryExhausted if the budget cannot cover the module's initial memory
     */
    static GuestInstance create(CompiledModule module, Map<String, String> environment, Map<String, String> variables,
                                long maxResponseBody, GuestOutputSink output, WasiSetup wasiSetup,
                                MemoryBudget memoryBudget, MemoryBudget bodyBuffers) {
        String id = module.componentId();
        GuestOutputStream out = new GuestOutputStream(id, "stdout", output);
        GuestOutputStream err = new GuestOutputStream(id, "stderr", output);
        WasiOptions.Builder options = WasiOptions.builder()
                .withStdout(out)
                .withStderr(err)
                .withStdin(InputStream.nullInputStream())
                .withRandom(RANDOM);
        environment.forEach(options::withEnvironment);
        wasiSetup.configure(options);
        WasiPreview1 wasi = WasiPreview1.builder().withLogger(ChicoryLogger.SHARED).withOptions(options.build()).build();
        RequestScope scope = new RequestScope(maxResponseBody, bodyBuffers);
        ImportValues imports = ImportValues.builder()
                .addFunction(inlineGuarded(wasiSetup.link(wasi.toHostFunctions()), scope))
                .addFunction(new EdgeHostFunctions(id, scope, variables).functions().toArray(new HostFunction[0]))
                .build();
        BudgetedMemory[] memory = new BudgetedMemory[1];
        try {
            Instance instance = Instance.builder(module.module())
                    .withImportValues(imports)
                    .withMachineFactory(module.machineFactory())
                    .withMemoryLimits(module.memoryLimits())
                    .withMemoryFactory(limits -> memory[0] = BudgetedMemory.allocate(limits, memoryBudget))
                    .withStart(false) // Chicory would otherwise run an exported _start at instantiation
                    .build();
            if (module.exportsFunction(GuestAbi.EXPORT_INITIALIZE)) {
                instance.export(GuestAbi.EXPORT_INITIALIZE).apply();
            }
            return new GuestInstance(instance, wasi, scope, out, err, memory[0]);
        } catch (RuntimeException | Error e) {
            if (memory[0] != null) {
                memory[0].release();
            }
            wasi.close();
            throw e;
        }
    }

    /** WASI calls that are not pure reads end an inline run ({@link MustBlock}): output, files, sockets, polls. */
    private static HostFunction[] inlineGuarded(HostFunction[] functions, RequestScope scope) {
        HostFunction[] guarded = functions.clone();
        for (int i = 0; i < guarded.length; i++) {
            HostFunction f = guarded[i];
            if (!MustBlock.PURE_WASI.contains(f.name())) {
                guarded[i] = new HostFunction(f.module(), f.name(), f.functionType(), (instance, args) -> {
                    if (scope.inline()) {
                        throw MustBlock.INSTANCE;
                    }
                    return f.handle().apply(instance, args);
                });
            }
        }
        return guarded;
    }

    RequestScope scope() { return scope; }

    /** Runs the handler; returns its i32 result. */
    int callHandler() {
        long[] result = handle.apply();
        return result == null || result.length == 0 ? 0 : (int) result[0];
    }

    long memoryBytes() {
        return (long) instance.memory().pages() * GuestAbi.PAGE_SIZE;
    }

    void flushOutput() {
        stdout.drain();
        stderr.drain();
    }

    /** Ends the instance: flushes its output and gives its memory back to the budget. */
    void close() {
        flushOutput();
        discard();
    }

    /** Ends the instance without emitting its output (an abandoned inline run: the re-run will write it). */
    void discard() {
        wasi.close();
        scope.releaseBody();
        if (memory != null) {
            memory.release();
        }
    }
}
