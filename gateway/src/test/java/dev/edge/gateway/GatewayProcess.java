package dev.edge.gateway;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real gateway main ({@link EdgeMain}) in its own JVM, as {@code java -jar edge.jar} runs it. */
final class GatewayProcess implements AutoCloseable {
    private final Process process;
    private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
    private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());

    /** The readers of stdout and stderr: they end at EOF, after the process's last line. */
    private final List<Thread> pumps;

    private GatewayProcess(Process process) {
        this.process = process;
        this.pumps = List.of(pump(process.getInputStream(), stdout), pump(process.getErrorStream(), stderr));
    }

    static GatewayProcess start(String... args) throws IOException {
        return start(java.util.Map.of(), args);
    }

    /**
     * Like {@link #start(String...)} with {@code env} added to the inherited environment; an empty value
     * removes the variable (so a test controls e.g. every {@code SPIN_VARIABLE_*} the gateway sees).
     */
    static GatewayProcess start(java.util.Map<String, String> env, String... args) throws IOException {
        return start(env, List.of(), args);
    }

    /** Like {@link #start(String...)} with extra JVM options (e.g. a small {@code -Xmx}). */
    static GatewayProcess startWithJvmOptions(List<String> jvmOptions, String... args) throws IOException {
        return start(java.util.Map.of(), jvmOptions, args);
    }

    private static GatewayProcess start(java.util.Map<String, String> env, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-XX:TieredStopAtLevel=1",
                // The production logging config (the test classpath holds several logback-test.xml).
                "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"),
                EdgeMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("SPIN_VARIABLE_")
                || name.startsWith("EDGE_VARIABLE_"));
        env.forEach((name, value) -> {
            if (value.isEmpty()) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        return new GatewayProcess(builder.start());
    }

    /** Waits for the banner's "Serving" line (the listener is up by then). */
    GatewayProcess awaitServing() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("gateway exited with " + process.exitValue() + "; stderr: " + stderr);
            }
            synchronized (stdout) {
                return stdout.stream().anyMatch(l -> l.startsWith("Serving ")) && stdout.stream().anyMatch(l -> l.startsWith("  "));
            }
        });
        return this;
    }

    List<String> stdout() {
        synchronized (stdout) {
            return List.copyOf(stdout);
        }
    }

    List<String> stderr() {
        synchronized (stderr) {
            return List.copyOf(stderr);
        }
    }

    Process process() {
        return process;
    }

    /**
     * Sends SIGTERM, as Ctrl-C or an orchestrator would, and keeps reading the gateway's output: unlike
     * {@link ProcessHandle#destroy()}, {@link Process#destroy()} also closes this side's pipes at once, so every line
     * the gateway writes while it shuts down (the drain's log line) would be lost.
     */
    void sigterm() {
        process.toHandle().destroy();
    }

    /** SIGTERM, as Ctrl-C or an orchestrator would send; returns the exit code. */
    int terminate() throws InterruptedException {
        sigterm();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("gateway did not stop within 30 s of SIGTERM");
        }
        awaitOutput();
        return process.exitValue();
    }

    /** SIGHUP, as {@code kill -HUP <pid>}: edge reloads the app. */
    void hangUp() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -HUP " + process.pid() + " exited with " + kill.exitValue());
        }
    }

    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("gateway did not exit");
        }
        awaitOutput();
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /**
     * Once the process has exited, waits for its last lines to be read: the process can exit before the
     * readers have caught up (a loaded machine), and a check of {@link #stderr()} would see part of it.
     */
    private void awaitOutput() throws InterruptedException {
        for (Thread pump : pumps) {
            pump.join(10_000);
            if (pump.isAlive()) {
                throw new AssertionError("the gateway's output was not read to its end within 10 s of its exit");
            }
        }
    }

    private static Thread pump(java.io.InputStream in, List<String> lines) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "gateway-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
