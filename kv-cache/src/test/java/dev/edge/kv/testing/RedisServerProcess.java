package dev.edge.kv.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, persistence off, in its own temp dir.
 * Supports the faults tests need: {@link #pause()}/{@link #resume()} (SIGSTOP/SIGCONT), {@link #kill()}
 * and {@link #restart()} on the same port. Admin commands go over a tiny RESP client ({@link #command}),
 * so the fixture does not depend on the client library under test.
 */
public final class RedisServerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final int port;
    private final Path dir;
    private List<String> extraArgs;
    private Process process;
    private boolean paused;

    private RedisServerProcess(int port, Path dir, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a server; {@code extraArgs} are redis-server options such as {@code --replicaof 127.0.0.1 6379}. */
    public static RedisServerProcess start(String... extraArgs) {
        try {
            RedisServerProcess server = new RedisServerProcess(freePort(), Files.createTempDirectory("edge-redis-"),
                    Arrays.asList(extraArgs));
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of("redis-server",
                "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
                "--logfile", dir.resolve("redis.log").toString()));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        Process started = process;
        // No orphaned servers if the test JVM dies before @AfterAll (SIGKILL also ends a stopped process).
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                if ("PONG".equals(command("PING"))) {
                    return;
                }
            } catch (RuntimeException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server exited: " + log(), e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start on port " + port + ": " + log(), e);
                }
            }
            sleep(20);
        }
    }

    public int port() { return port; }

    public URI uri() { return URI.create("redis://127.0.0.1:" + port); }

    public long pid() { return process.pid(); }

    public boolean isAlive() { return process != null && process.isAlive(); }

    /** SIGSTOP: the server keeps its sockets but answers nothing. */
    public void pause() {
        signal("STOP");
        paused = true;
    }

    public void resume() {
        signal("CONT");
        paused = false;
    }

    /** SIGKILL, no shutdown. */
    public void kill() {
        if (paused) {
            resume();
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills (if needed) and starts again on the same port, empty (persistence is off). */
    public void restart() {
        if (isAlive()) {
            kill();
        }
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills (if needed) and starts again on the same port with other options (e.g. another {@code --replicaof}). */
    public void restartWith(String... newExtraArgs) {
        extraArgs = List.of(newExtraArgs);
        restart();
    }

    /** One command to any local Redis (or Sentinel) port over a fresh connection. */
    public static String commandAt(int port, Duration timeout, String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readReply(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("redis :" + port + " " + String.join(" ", args), e);
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: it is a temp dir
        }
    }

    /** One command over a fresh connection; returns the reply as text (arrays joined by newlines). */
    public String command(String... args) {
        return command(Duration.ofSeconds(5), args);
    }

    public String command(Duration timeout, String... args) {
        return commandAt(port, timeout, args);
    }

    /** A field of {@code INFO <section>}, e.g. {@code info("replication", "master_link_status")}. */
    public String info(String section, String field) {
        for (String line : command("INFO", section).split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return null;
    }

    private static String readReply(InputStream in) throws IOException {
        String line = readLine(in);
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+', ':' -> { return rest; }
            case '-' -> throw new IllegalStateException("redis error: " + rest);
            case '$' -> {
                int len = Integer.parseInt(rest);
                if (len < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(len + 2);
                return new String(data, 0, len, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(rest);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(readReply(in));
                }
                return String.join("\n", items);
            }
            default -> throw new IllegalStateException("unexpected reply: " + line);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read();
                return sb.toString();
            }
            sb.append((char) c);
        }
        throw new IOException("connection closed");
    }

    private void signal(String signal) {
        signal(process, signal);
    }

    /** Sends a POSIX signal ({@code STOP}, {@code CONT}, ...) to a Redis process of any fixture. */
    static void signal(Process process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
