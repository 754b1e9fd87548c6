package dev.edge.wasm.wasi;

import dev.edge.wasm.GuestOutputSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guest stdout/stderr lines appended to {@code <dir>/<component>_stdout.txt} and {@code <component>_stderr.txt},
 * the files {@code spin up} writes under {@code <state-dir>/logs}. Each file is capped: when the next line
 * would pass {@code maxFileBytes} the file is renamed to {@code <name>.1} (replacing the previous one) and a new
 * file starts, so a chatty guest uses at most {@code 2 * maxFileBytes} per stream.
 *
 * <p>Thread-safe; lines of one file are written whole and in the order they arrive. An I/O failure is logged
 * once per file and the lines are dropped: logging never fails a guest.
 */
public final class ComponentLogs implements GuestOutputSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ComponentLogs.class);
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_.-]+");
    public static final long DEFAULT_MAX_FILE_BYTES = 10L << 20;

    private final Path dir;
    private final long maxFileBytes;
    private final Map<String, LogFile> files = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param dir          the log directory, normally {@code <state-dir>/logs} (created on first write)
     * @param maxFileBytes cap per file before it rotates (at least 1 KiB)
     */
    public ComponentLogs(Path dir, long maxFileBytes) {
        if (maxFileBytes < 1024) {
            throw new IllegalArgumentException("maxFileBytes must be at least 1024, was " + maxFileBytes);
        }
        this.dir = dir;
        this.maxFileBytes = maxFileBytes;
    }

    /** {@code <stateDir>/logs} with the default cap of 10 MiB per file. */
    public static ComponentLogs inStateDir(Path stateDir) {
        return new ComponentLogs(stateDir.resolve("logs"), DEFAULT_MAX_FILE_BYTES);
    }

    /** A sink that sends every line to both sinks (e.g. the log files and SLF4J, as {@code spin up} also prints). */
    public static GuestOutputSink tee(GuestOutputSink first, GuestOutputSink second) {
        return (componentId, stream, line) -> {
            first.line(componentId, stream, line);
            second.line(componentId, stream, line);
        };
    }

    /** The file a component's stream goes to: {@code <dir>/<component>_<stream>.txt}. */
    public Path file(String componentId, String stream) {
        return dir.resolve(fileName(componentId, stream));
    }

    @Override
    public void line(String componentId, String stream, String line) {
        if (closed) {
            return;
        }
        String name = fileName(componentId, stream);
        files.computeIfAbsent(name, n -> new LogFile(dir.resolve(n))).append(line);
    }

    private static String fileName(String componentId, String stream) {
        // component ids are kebab-case (validated by the manifest loader); never let one name a path
        String id = SAFE_ID.matcher(componentId).matches() && !componentId.startsWith(".") ? componentId : "invalid-id";
        String suffix = "stderr".equals(stream) ? "stderr" : "stdout";
        return id + "_" + suffix + ".txt";
    }

    @Override
    public void close() {
        closed = true;
        files.values().forEach(LogFile::close);
        files.clear();
    }

    private final class LogFile {
        private final Path path;
        private OutputStream out;
        private long size;
        private boolean failed;

        LogFile(Path path) {
            this.path = path;
        }

        synchronized void append(String line) {
            if (failed) {
                return;
            }
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            try {
                if (out == null) {
                    open();
                }
                if (size > 0 && size + bytes.length > maxFileBytes) {
                    rotate();
                }
                out.write(bytes);
                out.flush();
                size += bytes.length;
            } catch (IOException e) {
                failed = true;
                LOG.warn("cannot write guest output to {}: {} (further lines for this file are dropped)", path,
                        e.toString());
                closeQuietly();
            }
        }

        private void open() throws IOException {
            Files.createDirectories(path.getParent());
            out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            size = Files.size(path);
        }

        private void rotate() throws IOException {
            out.close();
            Files.move(path, path.resolveSibling(path.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            size = 0;
        }

        synchronized void close() {
            closeQuietly();
        }

        private void closeQuietly() {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    // nothing more to do for a log file
                }
                out = null;
            }
        }
    }
}
