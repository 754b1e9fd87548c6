package dev.edge.kv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Sentinel ({@code redis-server <conf> --sentinel}) on a free loopback port, monitoring one
 * master with fast failure detection. Sentinel rewrites its config file, so each one gets its own dir.
 */
public final class RedisSentinelProcess implements AutoCloseable {
    private final int port;
    private final Path dir;
    private Process process;

    private RedisSentinelProcess(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /**
     * @param downAfter       {@code down-after-milliseconds}: how long the master must be silent to be "down"
     * @param failoverTimeout {@code failover-timeout}
     */
    public static RedisSentinelProcess start(String master, int masterPort, int quorum, Duration downAfter,
                                             Duration failoverTimeout) {
        try {
            RedisSentinelProcess s = new RedisSentinelProcess(RedisServerProcess.freePort(),
                    Files.createTempDirectory("edge-sentinel-"));
            Path conf = s.dir.resolve("sentinel.conf");
            Files.writeString(conf, String.join("\n", List.of(
                    "port " + s.port,
                    "bind 127.0.0.1",
                    "dir " + s.dir,
                    "logfile " + s.dir.resolve("sentinel.log"),
                    "sentinel monitor " + master + " 127.0.0.1 " + masterPort + " " + quorum,
                    "sentinel down-after-milliseconds " + master + " " + downAfter.toMillis(),
                    "sentinel failover-timeout " + master + " " + failoverTimeout.toMillis(),
                    "sentinel parallel-syncs " + master + " 2",
                    "")));
            s.process = new ProcessBuilder("redis-server", conf.toString(), "--sentinel").redirectErrorStream(true)
                    .redirectOutput(s.dir.resolve("stdout.log").toFile()).start();
            Process started = s.process;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try {
                    if ("PONG".equals(s.command("PING"))) {
                        return s;
                    }
                } catch (RuntimeException e) {
                    if (!started.isAlive() || System.nanoTime() > deadline) {
                        s.close();
                        throw new IllegalStateException("redis-sentinel did not start on port " + s.port, e);
                    }
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int port() { return port; }

    public long pid() { return process.pid(); }

    public String command(String... args) {
        return RedisServerProcess.commandAt(port, Duration.ofSeconds(2), args);
    }

    /** The master's port as this sentinel knows it. */
    public int masterPort(String master) {
        String reply = command("SENTINEL", "get-master-addr-by-name", master);
        return Integer.parseInt(reply.split("\n")[1]);
    }

    /** SIGSTOP: the sentinel keeps its socket but answers nothing (and takes no part in failovers). */
    public void pause() { signal("STOP"); }

    public void resume() { signal("CONT"); }

    private void signal(String signal) {
        RedisServerProcess.signal(process, signal);
    }

    public void kill() {
        process.destroyForcibly(); // SIGKILL also ends a stopped process
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
}
