package dev.edge.component.wasi.cli;

import dev.edge.component.wasi.io.HostOutputStream;
import dev.edge.wasm.GuestOutputSink;
import dev.edge.wasm.GuestOutputStream;
import java.util.List;
import java.util.Map;

/**
 * One instance's {@code wasi:cli} state: the component's manifest {@code environment}, and its stdout and
 * stderr, which go line by line to the component logs ({@code ExecutorOptions.output}).
 */
public final class CliState implements AutoCloseable {
    private final List<Map.Entry<String, String>> environment;
    private final GuestOutputStream stdout;
    private final GuestOutputStream stderr;

    /**
     * @param componentId the manifest component id (names the log lines)
     * @param environment the component's {@code environment}, in manifest order
     * @param output      where complete lines go
     */
    public CliState(String componentId, Map<String, String> environment, GuestOutputSink output) {
        this.environment = List.copyOf(environment.entrySet());
        this.stdout = new GuestOutputStream(componentId, "stdout", output);
        this.stderr = new GuestOutputStream(componentId, "stderr", output);
    }

    public List<Map.Entry<String, String>> environment() {
        return environment;
    }

    HostOutputStream stdout() {
        return new HostOutputStream(stdout);
    }

    HostOutputStream stderr() {
        return new HostOutputStream(stderr);
    }

    /** Emits partial last lines; the executor calls it when the instance is done. */
    public void drain() {
        stdout.drain();
        stderr.drain();
    }

    /** Closing the instance's states drains them: a last line without its newline still reaches the logs. */
    @Override
    public void close() {
        drain();
    }
}
