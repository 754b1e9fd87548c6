package dev.edge.wasm;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import dev.edge.config.Component;
import dev.edge.config.Executor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAGI executor: runs a WASI preview 1 program as a CGI script, a fresh instance per request (a
 * command's {@code _start} runs once). The body is stdin, {@link WagiEnvironment} gives argv and the
 * environment (the component's {@code environment} plus the CGI variables, which win), and stdout is
 * parsed by {@link CgiResponse}. Empty stdout or a non-zero exit answers 500.
 */
public final class WagiHandler implements GuestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WagiHandler.class);
    /** Room for the CGI header block on top of the response body limit. */
    private static final int HEADER_ALLOWANCE = 64 * 1024;

    private final CompiledModule module;
    private final String componentId;
    private final String argvTemplate;
    private final String entrypoint;
    private final Map<String, String> environment;
    private final GuestLimits limits;
    private final ExecutorOptions options;
    private final DeadlineWatchdog watchdog;

    public WagiHandler(CompiledModule module, Executor executor, Map<String, String> environment, GuestLimits limits,
                       ExecutorOptions options, DeadlineWatchdog watchdog) {
        this.module = module;
        this.componentId = module.componentId();
        this.argvTemplate = executor.argv().isEmpty() ? Executor.DEFAULT_WAGI_ARGV : executor.argv();
        this.entrypoint = executor.entrypoint().isEmpty() ? Executor.DEFAULT_WAGI_ENTRYPOINT : executor.entrypoint();
        this.environment = Map.copyOf(environment);
        this.limits = limits;
        this.options = options;
        this.watchdog = watchdog;
    }

    /** Loads a manifest component whose trigger has {@code executor = { type = "wagi", ... }}. */
    public static WagiHandler load(Component component, Executor executor, GuestLimits limits, ExecutorOptions options,
                                   DeadlineWatchdog watchdog) throws WasmLoadException {
        String entrypoint = executor.entrypoint().isEmpty() ? Executor.DEFAULT_WAGI_ENTRYPOINT : executor.entrypoint();
        CompiledModule module = CompiledModule.loadWagi(component.id(), component.source(), component.sourceDigest(),
                limits.maxMemoryBytes(), entrypoint);
        return new WagiHandler(module, executor, component.environment(), limits, options, watchdog);
    }

    @Override
    public String componentId() { return componentId; }

    @Override
    public GuestResponse handle(GuestRequest request) throws GuestException {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.putAll(WagiEnvironment.variables(request));
        BoundedOutput stdout = new BoundedOutput(limits.maxResponseBody() + HEADER_ALLOWANCE);
        GuestOutputStream stderr = new GuestOutputStream(componentId, "stderr", options.output());
        WasiOptions.Builder wasiOptions = WasiOptions.builder()
                .withArguments(WagiEnvironment.argv(argvTemplate, request))
                .withStdin(new ByteArrayInputStream(request.body()))
                .withStdout(stdout)
                .withStderr(stderr)
                .withRandom(GuestInstance.RANDOM);
        env.forEach(wasiOptions::withEnvironment);

        DeadlineWatchdog.Watch watch = watchdog.watch(limits.requestDeadline());
        int exitCode = 0;
        try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(wasiOptions.build()).build()) {
            Instance instance = Instance.builder(module.module())
                    .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
                    .withMachineFactory(module.machineFactory())
                    .withMemoryLimits(module.memoryLimits())
                    .withStart(false) // Chicory would otherwise run an exported _start at instantiation
                    .build();
            try {
                instance.export(entrypoint).apply();
            } catch (WasiExitException e) {
                exitCode = e.exitCode();
            }
            if (watch.finish()) {
                throw deadline(null);
            }
        } catch (ResponseTooLargeException e) {
            throw new GuestException(GuestException.Reason.RESPONSE_TOO_LARGE, componentId, e.getMessage(), null);
        } catch (ChicoryInterruptedException e) {
            throw watch.finish() ? deadline(e) : trap("interrupted", e);
        } catch (ChicoryException e) {
            throw watch.finish() ? deadline(e) : trap(CompiledModule.describe(e), e);
        } catch (StackOverflowError e) {
            throw trap("call stack exhausted (deep recursion)", null);
        } finally {
            watch.finish();
            stderr.drain();
        }
        if (exitCode != 0) {
            LOG.warn("component '{}': WAGI program exited with code {}", componentId, exitCode);
            throw new GuestException(GuestException.Reason.TRAP, componentId, "exited with code " + exitCode, null);
        }
        byte[] output = stdout.toByteArray();
        if (output.length == 0) {
            LOG.warn("component '{}' is configured to use the WAGI executor but did not write to stdout", componentId);
            throw new GuestException(GuestException.Reason.INTERNAL, componentId,
                    "WAGI program wrote nothing to stdout (check the executor in spin.toml)", null);
        }
        try {
            GuestResponse response = CgiResponse.parse(output);
            if (response.body().length > limits.maxResponseBody()) {
                throw new GuestException(GuestException.Reason.RESPONSE_TOO_LARGE, componentId,
                        "response body larger than " + limits.maxResponseBody() + " bytes", null);
            }
            return response;
        } catch (IllegalArgumentException e) {
            LOG.warn("component '{}': bad CGI output: {}", componentId, e.getMessage());
            throw new GuestException(GuestException.Reason.INTERNAL, componentId, e.getMessage(), null);
        }
    }

    private GuestException deadline(Throwable cause) {
        LOG.warn("component '{}': interrupted after the request deadline of {} ms", componentId,
                limits.requestDeadline().toMillis());
        return new GuestException(GuestException.Reason.DEADLINE, componentId,
                "request deadline of " + limits.requestDeadline().toMillis() + " ms exceeded", cause);
    }

    private GuestException trap(String message, Throwable cause) {
        LOG.warn("component '{}': guest trapped: {}", componentId, message);
        return new GuestException(GuestException.Reason.TRAP, componentId, "guest trapped: " + message, cause);
    }

    @Override
    public void close() {
        // nothing pooled: every request has its own instance
    }

    /** Captures stdout up to a limit; past it the program is aborted. */
    private static final class BoundedOutput extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final long limit;

        BoundedOutput(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) {
            check(1);
            bytes.write(b);
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            check(length);
            bytes.write(data, offset, length);
        }

        private void check(int more) {
            if (bytes.size() + (long) more > limit) {
                throw new ResponseTooLargeException(limit);
            }
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }
}
