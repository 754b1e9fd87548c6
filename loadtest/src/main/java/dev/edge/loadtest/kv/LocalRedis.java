package dev.edge.loadtest.kv;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Throw-away {@code redis-server} processes on free loopback ports for the KV measurement tools: a primary
 * and optional replicas, persistence off. The tests have their own fixture (dev.edge.kv.testing); this one
 * lives in the benchmarks jar so the tools run with nothing but {@code redis-server} on the PATH.
 */
final class LocalRedis implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    /** A primary plus {@code replicas} replicas of it, all in sync when this returns. */
    static LocalRedis start(int replicas) {
        LocalRedis redis = new LocalRedis();
        try {
            redis.launch();
            for (int i = 0; i < replicas; i++) {
                redis.launch("--replicaof", "127.0.0.1", Integer.toString(redis.ports.get(0)));
            }
            redis.awaitReplicasInSync();
            return redis;
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    URI primary() { return uri(0); }

    /** Replica {@code i}, 0-based. */
    URI replica(int i) { return uri(i + 1); }

    private URI uri(int index) {
        return URI.create("redis://127.0.0.1:" + ports.get(index));
    }

    private void launch(String... extra) {
        try {
            int port = freePort();
            Path dir = Files.createTempDirectory("edge-bench-redis-");
            List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                    "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
                    "--logfile", dir.resolve("redis.log").toString()));
            command.addAll(List.of(extra));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
            processes.add(process);
            ports.add(port);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            awaitPing(port, process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitPing(int port, Process process) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                if ("PONG".equals(connection.sync().ping())) {
                    return;
                }
            } catch (RuntimeException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start on port " + port, e);
                }
            } finally {
                client.shutdown();
            }
            sleep(50);
        }
    }

    /** Waits until every replica's link is up and it applied the primary's offset. */
    void awaitReplicasInSync() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!inSync()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("replicas did not catch up within 30 s");
            }
            sleep(20);
        }
    }

    private boolean inSync() {
        long primaryOffset = Long.parseLong(info(0, "master_repl_offset"));
        for (int i = 1; i < ports.size(); i++) {
            String offset = info(i, "slave_repl_offset");
            if (!"up".equals(info(i, "master_link_status")) || offset == null || Long.parseLong(offset) < primaryOffset) {
                return false;
            }
        }
        return true;
    }

    private String info(int index, String field) {
        RedisClient client = RedisClient.create(uri(index).toString());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            for (String line : connection.sync().info("replication").split("\r?\n")) {
                if (line.startsWith(field + ":")) {
                    return line.substring(field.length() + 1).trim();
                }
            }
            return null;
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
