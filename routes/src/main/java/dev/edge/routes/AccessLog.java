package dev.edge.routes;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log ({@code edge up --access-log}): one line per request, in {@link AccessLogFormat}. A request's
 * thread only puts its {@link Entry} in a bounded queue (never blocking: past {@value #QUEUE_CAPACITY} waiting lines
 * a line is dropped and counted, {@link #dropped()}); one writer thread formats and writes them, flushing whenever
 * the queue runs empty.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    static final int QUEUE_CAPACITY = 16_384;
    private static final int BATCH = 256;

    /**
     * One request as logged.
     *
     * @param startMillis   when the request arrived (epoch milliseconds)
     * @param client        the peer's IP address
     * @param uri           the request target as sent (path and query)
     * @param bytes         response body bytes sent
     * @param route         the component, {@code static}, {@code well-known}, {@code no-route} or the stage
     *                      ({@code proxy}, {@code kv-route}) that answered; null if none was reached (e.g. a 400)
     * @param upstream      the upstream a proxied request went to (a URL or {@code upstream:<pool>}), else null
     * @param target        the upstream's target that was tried last, else null
     */
    public record Entry(long startMillis, String client, String method, String uri, String protocol, int status,
                        long bytes, long durationNanos, String route, String upstream, String target,
                        String requestId, String referer, String userAgent) {}

    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final LongAdder dropped = new LongAdder();
    private final AccessLogFormat format;
    private final Writer out;
    private final boolean closeOut;
    private final Thread writer;
    private volatile boolean closed;

    private AccessLog(AccessLogFormat format, OutputStream out, boolean closeOut) {
        this.format = format;
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        this.closeOut = closeOut;
        this.writer = new Thread(this::drain, "edge-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Appends to {@code file} (created if missing). */
    public static AccessLog toFile(Path file, AccessLogFormat format) throws IOException {
        return new AccessLog(format, Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE), true);
    }

    /** Writes to {@code out} (e.g. standard output for {@code --access-log -}), which stays open. */
    public static AccessLog to(OutputStream out, AccessLogFormat format) {
        return new AccessLog(format, out, false);
    }

    /** Queues {@code entry}; drops it (counted) if the writer is that far behind. Never blocks. */
    public void log(Entry entry) {
        if (closed || !queue.offer(entry)) {
            dropped.increment();
        }
    }

    /** Lines dropped because the queue was full (or the log closed). */
    public long dropped() {
        return dropped.sum();
    }

    private void drain() {
        List<Entry> batch = new ArrayList<>(BATCH);
        StringBuilder line = new StringBuilder(256);
        try {
            while (!closed || !queue.isEmpty()) {
                Entry first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                do {
                    for (Entry entry : batch) {
                        line.setLength(0);
                        format.append(entry, line);
                        out.append(line).append('\n');
                    }
                    batch.clear();
                } while (queue.drainTo(batch, BATCH) > 0);
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.error("Access log stopped: {}", e.toString());
            closed = true;
        }
    }

    /** Writes what is queued, then closes the file (not standard output). */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            out.flush();
            if (closeOut) {
                out.close();
            }
        } catch (IOException e) {
            LOG.warn("Closing the access log failed: {}", e.toString());
        }
    }
}
