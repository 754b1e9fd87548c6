package dev.edge.wasm.wagi;

import com.dylibso.chicory.runtime.ExecutionCompletedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import dev.edge.wasm.ChicoryLogger;
import dev.edge.wasm.GuestFailures;
import com.dylibso.chicory.wasm.ChicoryException;
import dev.edge.config.Component;
import dev.edge.config.Executor;
import dev.edge.wasm.BudgetedMemory;
import dev.edge.wasm.CompiledModule;
import dev.edge.wasm.GuestMemoryExhausted;
import dev.edge.wasm.MemoryBudget;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestException;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestOutputSink;
import dev.edge.wasm.GuestOutputStream;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.WasmLoadException;
import dev.edge.wasm.wasi.GuestFiles;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAGI executor ({@code executor = { type = "wagi", argv, entrypoint }}): runs a WASI preview 1 command
 * as a CGI script on the caller's thread. See {@link CgiRequest} for argv and the environment, and
 * {@link CgiResponse} for how stdout becomes the response.
 *
 * <p><b>A fresh instance per request</b>, as in Spin. A command's entry point runs constructors,
 * {@code main}, destructors and {@code proc_exit} exactly once; calling it again on a used instance would see
 * the last request's heap, stdio buffers and globals, and after {@code proc_exit} unwinds the guest even its
 * shadow stack pointer is left where the exit happened. WASI's arguments, environment and stdin are also
 * fixed per {@link WasiPreview1}. What is static is prepared once per component at load: the compiled
 * machine factory and memory limits ({@link CompiledModule}), the argv template and component environment,
 * and the read-only copy of {@code files}. Per request remain: the WASI context (args, env, stdin, stdout),
 * the instance (memory allocation and data segments) and the call.
 *
 * <p>Exit codes: returning from the entry point or {@code proc_exit(0)} is success; any other exit code, a
 * trap, or empty stdout is a {@link GuestException} (500, empty body). A body past
 * {@link GuestLimits#maxResponseBody()} is {@link GuestException.Reason#RESPONSE_TOO_LARGE}; stdout is collected
 * only up to that limit plus {@link #HEADER_ALLOWANCE} for the headers, and the write that crosses it aborts
 * the guest;
 * the deadline interrupts it ({@link GuestException.Reason#DEADLINE}). Stderr lines go to the
 * {@link GuestOutputSink} (e.g. {@code <state-dir>/logs/<component>_stderr.txt}).
 */
public final class WagiHandler implements GuestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WagiHandler.class);
    /** Room for the CGI header block on top of {@link GuestLimits#maxResponseBody()}, which limits the body. */
    static final int HEADER_ALLOWANCE = 64 * 1024;

    private final CompiledModule module;
    private final String componentId;
    private final String entrypoint;
    private final CgiRequest cgi;
    private final GuestFiles files;
    private final GuestLimits limits;
    private final GuestFailures failures;
    private final GuestOutputSink output;
    private final DeadlineWatchdog watchdog;
    private final MemoryBudget guestMemory;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong requests = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param module   compiled with {@link CompiledModule#loadWagi} (exports the entry point, imports only WASI)
     * @param executor the trigger's executor ({@code argv} template and {@code entrypoint})
     * @param environment the component's {@code environment}
     * @param files    the component's files (owned by this handler from now on: closed with it)
     * @param output   where stderr lines go
     * @param watchdog shared deadline watchdog (owned by the caller)
     */
    public WagiHandler(CompiledModule module, Executor executor, Map<String, String> environment, GuestFiles files,
                       GuestLimits limits, GuestOutputSink output, DeadlineWatchdog watchdog) throws WasmLoadException {
        this(module, executor, environment, files, limits, output, watchdog, MemoryBudget.guestDefault());
    }

    /** As above; each request's instance reserves its linear memory from {@code guestMemory}, as the HTTP executor's do. */
    public WagiHandler(CompiledModule module, Executor executor, Map<String, String> environment, GuestFiles files,
                       GuestLimits limits, GuestOutputSink output, DeadlineWatchdog watchdog, MemoryBudget guestMemory)
            throws WasmLoadException {
        this.guestMemory = guestMemory;
        this.module = module;
        this.componentId = module.componentId();
        this.entrypoint = executor.entrypoint() == null || executor.entrypoint().isBlank()
                ? Executor.DEFAULT_WAGI_ENTRYPOINT : executor.entrypoint();
        String argv = executor.argv() == null || executor.argv().isEmpty() ? Executor.DEFAULT_WAGI_ARGV : executor.argv();
        this.cgi = new CgiRequest(argv, environment);
        this.files = files;
        this.limits = limits;
        this.failures = new GuestFailures(componentId, limits.requestDeadline());
        this.output = output;
        this.watchdog = watchdog;
        checkModule();
    }

    /**
     * Loads a manifest component for a WAGI trigger: reads, verifies and compiles its {@code source} once,
     * checks that it exports the entry point and imports only WASI, and copies its {@code files}.
     *
     * @param component the manifest component
     * @param executor  the trigger's executor (must be {@code wagi})
     * @param baseDir   the manifest's directory ({@code files} are relative to it)
     * @param stateDir  the app's state directory; file copies go to {@code <stateDir>/files}
     * @param limits    memory cap, deadline, response limit
     * @param output    where stderr goes (e.g. a {@link dev.edge.wasm.wasi.ComponentLogs})
     * @param watchdog  shared deadline watchdog (owned by the caller)
     */
    public static WagiHandler load(Component component, Executor executor, Path baseDir, Path stateDir,
                                   GuestLimits limits, GuestOutputSink output, DeadlineWatchdog watchdog)
            throws WasmLoadException {
        return load(component, executor, baseDir, stateDir, limits, output, watchdog, MemoryBudget.guestDefault());
    }

    /** As above, with the node's guest-memory budget (see {@link MemoryBudget}). */
    public static WagiHandler load(Component component, Executor executor, Path baseDir, Path stateDir,
                                   GuestLimits limits, GuestOutputSink output, DeadlineWatchdog watchdog,
                                   MemoryBudget guestMemory) throws WasmLoadException {
        if (executor.type() != Executor.Type.WAGI) {
            throw new IllegalArgumentException("not a wagi executor: " + executor);
        }
        String entrypoint = executor.entrypoint() == null || executor.entrypoint().isBlank()
                ? Executor.DEFAULT_WAGI_ENTRYPOINT : executor.entrypoint();
        CompiledModule module = CompiledModule.loadWagi(component.id(), component.source(), component.sourceDigest(),
                limits.maxMemoryBytes(), entrypoint);
        GuestFiles files = GuestFiles.forComponent(component, baseDir, stateDir);
        try {
            return new WagiHandler(module, executor, component.environment(), files, limits, output, watchdog,
                    guestMemory);
        } catch (WasmLoadException | RuntimeException e) {
            files.close();
            throw e;
        }
    }

    private void checkModule() throws WasmLoadException {
        if (!module.exportsFunction(entrypoint)) {
            throw new WasmLoadException(componentId, module.source(), "module does not export the WAGI entrypoint "
                    + "function '" + entrypoint + "' (build it as a WASI command, or set executor.entrypoint)", null);
        }
        // link once now (without running anything) so a missing WASI function or a bad segment fails the load
        try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(ChicoryLogger.SHARED)
                .withOptions(WasiOptions.builder().build()).build()) {
            var type = instantiate(files.link(wasi.toHostFunctions()), null).exportType(entrypoint);
            if (!type.params().isEmpty()) {
                throw new WasmLoadException(componentId, module.source(), "the WAGI entrypoint '" + entrypoint
                        + "' takes parameters (" + type.params() + "); it must take none", null);
            }
        } catch (ChicoryException | StackOverflowError e) {
            throw new WasmLoadException(componentId, module.source(), "cannot instantiate module: " + CompiledModule.describe(e), null);
        }
    }

    /** {@code memory[0]} (if given) receives the instance's budgeted memory, to release after the request. */
    private Instance instantiate(HostFunction[] wasiFunctions, BudgetedMemory[] memory) {
        Instance.Builder builder = Instance.builder(module.module())
                .withImportValues(ImportValues.builder().addFunction(wasiFunctions).build())
                .withMachineFactory(module.machineFactory())
                .withMemoryLimits(module.memoryLimits())
                .withStart(false);
        if (memory != null) {
            builder.withMemoryFactory(limits -> memory[0] = BudgetedMemory.allocate(limits, guestMemory));
        }
        return builder.build();
    }

    @Override
    public String componentId() { return componentId; }

    /** Requests served so far (each on its own instance). */
    public long requestsServed() { return requests.get(); }

    /** The component's read-only files. */
    public GuestFiles files() { return files; }

    /** A request whose instance the guest-memory budget cannot cover gets 503 with {@code Retry-After}, as in the HTTP executor. */
    @Override
    public GuestResponse handle(GuestRequest request) throws GuestException {
        try {
            return run(request);
        } catch (GuestException e) {
            if (e.reason() == GuestException.Reason.OVERLOADED) {
                return GuestResponse.overloaded();
            }
            throw e;
        }
    }

    private GuestResponse run(GuestRequest request) throws GuestException {
        if (closed) {
            throw new GuestException(GuestException.Reason.INTERNAL, componentId, "handler is closed", null);
        }
        requests.incrementAndGet();
        StdoutBuffer stdout = new StdoutBuffer(limits.maxResponseBody() + HEADER_ALLOWANCE);
        GuestOutputStream stderr = new GuestOutputStream(componentId, "stderr", output);
        WasiOptions.Builder options = WasiOptions.builder()
                .withArguments(cgi.argv(request))
                .withStdin(new ByteArrayInputStream(request.body()), false)
                .withStdout(stdout, false)
                .withStderr(stderr, false)
                .withRandom(random);
        cgi.environment(request).forEach(options::withEnvironment);
        files.configure(options);
        DeadlineWatchdog.Watch watch = watchdog.watch(limits.requestDeadline());
        int exitCode = 0;
        BudgetedMemory[] memory = new BudgetedMemory[1];
        try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(ChicoryLogger.SHARED).withOptions(options.build()).build()) {
            Instance instance = instantiate(files.link(wasi.toHostFunctions()), memory);
            try {
                instance.export(entrypoint).apply();
            } catch (ExecutionCompletedException e) {
                exitCode = 0; // proc_exit(0)
            } catch (WasiExitException e) {
                exitCode = e.exitCode();
            }
            if (watch.finish()) {
                throw failures.deadline(null);
            }
        } catch (StdoutBuffer.TooLarge e) {
            watch.finish();
            throw failures.responseTooLarge(e.getMessage());
        } catch (GuestMemoryExhausted e) {
            watch.finish();
            throw failures.overloaded(e.getMessage());
        } catch (ChicoryException e) {
            throw failures.of(e, watch.finish());
        } catch (StackOverflowError e) {
            watch.finish();
            throw failures.stackOverflow();
        } catch (RuntimeException e) {
            if (watch.finish()) {
                throw failures.deadline(e);
            }
            throw failures.internal(e);
        } finally {
            watch.finish();
            stderr.drain();
            if (memory[0] != null) {
                memory[0].release(); // one instance per request: its memory goes back at once
            }
        }
        if (exitCode != 0) {
            LOG.warn("component '{}': WAGI guest exited with code {}", componentId, exitCode);
            throw new GuestException(GuestException.Reason.INTERNAL, componentId,
                    "WAGI guest exited with code " + exitCode, null);
        }
        if (stdout.length() == 0) {
            LOG.warn("component '{}': WAGI guest wrote nothing to stdout (is it a WAGI program? check the "
                    + "trigger's executor)", componentId);
            throw new GuestException(GuestException.Reason.INTERNAL, componentId,
                    "WAGI guest wrote nothing to stdout", null);
        }
        Optional<GuestResponse> response = CgiResponse.parse(stdout.bytes(), stdout.length());
        if (response.isEmpty()) {
            throw new GuestException(GuestException.Reason.INTERNAL, componentId,
                    "WAGI guest wrote unusable CGI headers (not UTF-8, or a value with control characters)", null);
        }
        if (response.get().body().length > limits.maxResponseBody()) {
            throw failures.responseTooLarge("response body larger than the limit of " + limits.maxResponseBody() + " bytes");
        }
        return response.get();
    }

    @Override
    public void close() {
        closed = true;
        files.close();
    }

    /** For tests: the argv a request would get. */
    List<String> argv(GuestRequest request) {
        return cgi.argv(request);
    }
}
