package dev.edge.component.wasi.random;

import dev.edge.component.host.ComponentTrap;
import dev.edge.component.host.HostInterface;
import dev.edge.component.wasi.io.WasiIo;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code wasi:random/random} (from {@link SecureRandom}), {@code wasi:random/insecure} and
 * {@code wasi:random/insecure-seed} (from {@link ThreadLocalRandom}) at 0.2.6. No per-instance state.
 */
public final class WasiRandom {
    /** Largest {@code get-*-random-bytes} request; a larger one traps instead of exhausting the heap. */
    public static final long MAX_BYTES = 1 << 20;
    private static final SecureRandom SECURE = new SecureRandom();

    private WasiRandom() {
    }

    public static List<HostInterface> interfaces() {
        return List.of(random(), insecure(), insecureSeed());
    }

    public static HostInterface random() {
        return HostInterface.builder("wasi:random/random", WasiIo.VERSION)
                .function("get-random-bytes", (cx, a) -> {
                    byte[] bytes = new byte[length((Long) a[0])];
                    SECURE.nextBytes(bytes);
                    return bytes;
                })
                .function("get-random-u64", (cx, a) -> SECURE.nextLong())
                .build();
    }

    public static HostInterface insecure() {
        return HostInterface.builder("wasi:random/insecure", WasiIo.VERSION)
                .function("get-insecure-random-bytes", (cx, a) -> {
                    byte[] bytes = new byte[length((Long) a[0])];
                    ThreadLocalRandom.current().nextBytes(bytes);
                    return bytes;
                })
                .function("get-insecure-random-u64", (cx, a) -> ThreadLocalRandom.current().nextLong())
                .build();
    }

    public static HostInterface insecureSeed() {
        return HostInterface.builder("wasi:random/insecure-seed", WasiIo.VERSION)
                .function("insecure-seed", (cx, a) -> new Object[] {
                        ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong()})
                .build();
    }

    private static int length(long len) {
        if (Long.compareUnsigned(len, MAX_BYTES) > 0) {
            throw new ComponentTrap("random bytes requested: " + Long.toUnsignedString(len) + ", at most "
                    + MAX_BYTES);
        }
        return (int) len;
    }
}
