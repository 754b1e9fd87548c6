package dev.edge.component.wasi.io;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.ComponentTrap;
import dev.edge.component.host.HostInterface;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code wasi:io/error}, {@code wasi:io/poll} and {@code wasi:io/streams} at 0.2.6 (which also serves
 * components built against 0.2.0 through 0.2.12). No per-instance state: the resources carry it.
 */
public final class WasiIo {
    public static final String VERSION = "0.2.6";
    /** How often {@code poll} re-checks a list of pollables none of which is ready. */
    private static final long POLL_INTERVAL_NANOS = 1_000_000;

    private WasiIo() {
    }

    public static List<HostInterface> interfaces() {
        return List.of(error(), poll(), streams());
    }

    public static HostInterface error() {
        return HostInterface.builder("wasi:io/error", VERSION)
                .function("[method]error.to-debug-string", (cx, a) -> ((IoError) a[0]).toDebugString())
                .build();
    }

    public static HostInterface poll() {
        return HostInterface.builder("wasi:io/poll", VERSION)
                .function("[method]pollable.ready", (cx, a) -> ((Pollable) a[0]).ready())
                .function("[method]pollable.block", (cx, a) -> {
                    ((Pollable) a[0]).block();
                    return null;
                })
                .function("poll", (cx, a) -> poll(castList(a[0])))
                .build();
    }

    /** Indices (u32) of the ready pollables, waiting until at least one is; an empty list traps, as the WIT says. */
    static List<Object> poll(List<Object> pollables) {
        if (pollables.isEmpty()) {
            throw new ComponentTrap("poll called with an empty list");
        }
        while (true) {
            List<Object> ready = new ArrayList<>();
            for (int i = 0; i < pollables.size(); i++) {
                if (((Pollable) pollables.get(i)).ready()) {
                    ready.add(i);
                }
            }
            if (!ready.isEmpty()) {
                return ready;
            }
            if (pollables.size() == 1) {
                ((Pollable) pollables.get(0)).block();
            } else {
                LockSupport.parkNanos(POLL_INTERVAL_NANOS);
                if (Thread.currentThread().isInterrupted()) {
                    throw new ComponentTrap("interrupted while polling");
                }
            }
        }
    }

    public static HostInterface streams() {
        return HostInterface.builder("wasi:io/streams", VERSION)
                .function("[method]input-stream.read", (cx, a) -> result(() -> in(a).read((Long) a[1])))
                .function("[method]input-stream.blocking-read", (cx, a) -> result(() -> in(a).read((Long) a[1])))
                .function("[method]input-stream.skip", (cx, a) -> result(() -> in(a).skip((Long) a[1])))
                .function("[method]input-stream.blocking-skip", (cx, a) -> result(() -> in(a).skip((Long) a[1])))
                .function("[method]input-stream.subscribe", (cx, a) -> in(a).subscribe())
                .function("[method]output-stream.check-write", (cx, a) -> result(() -> out(a).checkWrite()))
                .function("[method]output-stream.write", (cx, a) -> result(() -> {
                    out(a).write((byte[]) a[1]);
                    return null;
                }))
                .function("[method]output-stream.blocking-write-and-flush", (cx, a) -> result(() -> {
                    out(a).blockingWriteAndFlush((byte[]) a[1]);
                    return null;
                }))
                .function("[method]output-stream.flush", (cx, a) -> result(() -> {
                    out(a).flush();
                    return null;
                }))
                .function("[method]output-stream.blocking-flush", (cx, a) -> result(() -> {
                    out(a).flush();
                    return null;
                }))
                .function("[method]output-stream.subscribe", (cx, a) -> out(a).subscribe())
                .function("[method]output-stream.write-zeroes", (cx, a) -> result(() -> {
                    out(a).writeZeroes((Long) a[1]);
                    return null;
                }))
                .function("[method]output-stream.blocking-write-zeroes-and-flush", (cx, a) -> result(() -> {
                    out(a).writeZeroes((Long) a[1]);
                    out(a).flush();
                    return null;
                }))
                .function("[method]output-stream.splice",
                        (cx, a) -> result(() -> out(a).splice((HostInputStream) a[1], (Long) a[2])))
                .function("[method]output-stream.blocking-splice",
                        (cx, a) -> result(() -> out(a).splice((HostInputStream) a[1], (Long) a[2])))
                .build();
    }

    /** A stream operation whose {@link StreamError} becomes the {@code err} case. */
    @FunctionalInterface
    public interface StreamCall {
        Object call() throws StreamError;
    }

    /** {@code result<T, stream-error>} of a stream operation. */
    public static Variant result(StreamCall call) {
        try {
            return Variant.ok(call.call());
        } catch (StreamError e) {
            return Variant.err(e.toValue());
        }
    }

    private static HostInputStream in(Object[] args) {
        return (HostInputStream) args[0];
    }

    private static HostOutputStream out(Object[] args) {
        return (HostOutputStream) args[0];
    }

    @SuppressWarnings("unchecked")
    static List<Object> castList(Object list) {
        return (List<Object>) list;
    }
}
