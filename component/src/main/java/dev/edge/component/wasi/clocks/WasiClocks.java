package dev.edge.component.wasi.clocks;

import dev.edge.component.host.HostInterface;
import dev.edge.component.wasi.io.Pollable;
import dev.edge.component.wasi.io.WasiIo;
import java.time.Instant;
import java.util.List;

/**
 * {@code wasi:clocks/monotonic-clock} and {@code wasi:clocks/wall-clock} at 0.2.6. The monotonic clock
 * counts nanoseconds from the first use of this class ({@link System#nanoTime()} may be negative; an
 * {@code instant} is a u64); the wall clock is {@link Instant#now()}. No per-instance state.
 */
public final class WasiClocks {
    private static final long ORIGIN = System.nanoTime();
    /** {@link Instant#now()} on Linux has microsecond resolution. */
    private static final long WALL_RESOLUTION_NANOS = 1_000;

    private WasiClocks() {
    }

    public static List<HostInterface> interfaces() {
        return List.of(monotonicClock(), wallClock());
    }

    /** Nanoseconds since this class was loaded. */
    public static long now() {
        return System.nanoTime() - ORIGIN;
    }

    public static HostInterface monotonicClock() {
        return HostInterface.builder("wasi:clocks/monotonic-clock", WasiIo.VERSION)
                .function("now", (cx, a) -> now())
                .function("resolution", (cx, a) -> 1L)
                .function("subscribe-instant", (cx, a) -> subscribeInstant((Long) a[0]))
                .function("subscribe-duration", (cx, a) -> subscribeDuration((Long) a[0]))
                .build();
    }

    /** Ready once the clock reaches {@code when} (u64); an instant beyond any reachable time never becomes ready. */
    public static Pollable subscribeInstant(long when) {
        long current = now();
        return subscribeDuration(Long.compareUnsigned(when, current) <= 0 ? 0 : when - current);
    }

    /** Ready {@code duration} (u64) nanoseconds from now. */
    public static Pollable subscribeDuration(long duration) {
        long d = duration < 0 ? Long.MAX_VALUE : duration;
        long start = System.nanoTime();
        long deadline = start + d;
        if (deadline - start < 0) { // overflow: as good as never
            deadline = start + Long.MAX_VALUE;
        }
        return Pollable.at(deadline);
    }

    public static HostInterface wallClock() {
        return HostInterface.builder("wasi:clocks/wall-clock", WasiIo.VERSION)
                .function("now", (cx, a) -> {
                    Instant now = Instant.now();
                    return new Object[] {now.getEpochSecond(), now.getNano()};
                })
                .function("resolution", (cx, a) -> new Object[] {0L, (int) WALL_RESOLUTION_NANOS})
                .build();
    }
}
