package dev.edge.gateway;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What triggers a hot reload of a running {@link EdgeApp}: SIGHUP, and with {@code --watch} a change to the
 * manifest, the runtime config or a component's source. Requests are coalesced (a burst of them while a reload
 * runs makes one more reload) and run one at a time on one daemon thread; each prints its one line on {@code err}.
 */
final class Reloads implements AutoCloseable {
    /** How often {@code --watch} looks at the files, and how long they must stay unchanged before a reload. */
    static final Duration POLL = Duration.ofMillis(250);
    static final Duration SETTLE = Duration.ofMillis(500);

    private volatile EdgeApp app;
    private final Duration drain;
    private final PrintStream err;
    private final Thread worker;
    private final Object lock = new Object();
    private boolean requested;
    private volatile boolean closed;
    private Thread watcher;

    Reloads(Duration drain, PrintStream err) {
        this.drain = drain;
        this.err = err;
        this.worker = new Thread(this::work, "edge-reload");
        worker.setDaemon(true);
    }

    /** From now on requests reload {@code app}; before, they are ignored (the start is loading the files anyway). */
    void serve(EdgeApp app) {
        this.app = app;
        worker.start();
    }

    /**
     * SIGHUP reloads, as for nginx; installed before the app starts so that a HUP during a slow start (which would
     * otherwise stop the JVM) is only ignored. {@code sun.misc.Signal} is the JDK's only way to handle a signal (module
     * jdk.unsupported, present in every JDK and JRE image); where HUP cannot be handled a warning says so.
     */
    void onSighup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> request());
        } catch (IllegalArgumentException e) {
            err.println("Warning: SIGHUP cannot be handled here (" + e.getMessage() + "); reload with --watch instead");
        }
    }

    /** {@code --watch} (after {@link #serve}): polls the files a reload reads; a change, once they have settled, reloads. */
    void watch() {
        watcher = new Thread(this::poll, "edge-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Asks for a reload; returns at once. */
    void request() {
        if (app == null) {
            err.println("reload ignored: the app is still starting");
            return;
        }
        synchronized (lock) {
            requested = true;
            lock.notifyAll();
        }
    }

    private void work() {
        while (!closed) {
            synchronized (lock) {
                while (!requested && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                requested = false;
            }
            if (closed) {
                return;
            }
            err.println(app.reload(drain).line());
        }
    }

    private void poll() {
        Map<Path, Object> seen = stamps(app.watchedFiles());
        long changedAt = 0;
        while (!closed) {
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            Map<Path, Object> now = stamps(app.watchedFiles());
            Map<Path, Object> before = seen;
            // A file that joined or left the list (a reload loaded another manifest) is no change by itself.
            boolean changed = now.entrySet().stream()
                    .anyMatch(file -> before.containsKey(file.getKey()) && !before.get(file.getKey()).equals(file.getValue()));
            seen = now;
            if (changed) {
                changedAt = System.nanoTime();
            } else if (changedAt != 0 && System.nanoTime() - changedAt >= SETTLE.toNanos()) {
                changedAt = 0;
                request();
            }
        }
    }

    /** Modification time and size of each file; a missing file counts too (it may come back). */
    private static Map<Path, Object> stamps(List<Path> files) {
        Map<Path, Object> stamps = new LinkedHashMap<>();
        for (Path file : files) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                stamps.put(file, List.of(attributes.lastModifiedTime(), attributes.size()));
            } catch (IOException e) {
                stamps.put(file, "missing");
            }
        }
        return stamps;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
