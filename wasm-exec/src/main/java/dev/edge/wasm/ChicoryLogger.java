package dev.edge.wasm;

import com.dylibso.chicory.log.Logger;
import com.dylibso.chicory.log.SystemLogger;

/**
 * The one Chicory logger every WASI context shares. Without an explicit logger,
 * {@code WasiPreview1.Builder.build()} probes for Android with {@code Class.forName}: a thrown
 * ClassNotFoundException per context (~20 µs), which a fresh instance per request would pay every time.
 */
public final class ChicoryLogger {
    public static final Logger SHARED = new SystemLogger();

    private ChicoryLogger() {}
}
