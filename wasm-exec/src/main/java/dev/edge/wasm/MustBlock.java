package dev.edge.wasm;

import com.dylibso.chicory.wasm.ChicoryException;
import java.util.Set;

/**
 * Ends a guest run inline (on a thread that must not block, {@link GuestHandler#tryInline}) at a host call that
 * might block or has an effect outside the instance (a near-cache miss, a write, guest output), or past its CPU
 * budget. Every earlier host call was a pure read, so the caller discards the instance and re-runs the request
 * from the start on a worker. A ChicoryException, so host-function wrappers let it through to the handler.
 */
final class MustBlock extends ChicoryException {
    static final MustBlock INSTANCE = new MustBlock();

    /** WASI calls that only read the instance's own state: allowed inline. Everything else ends the inline run. */
    static final Set<String> PURE_WASI = Set.of("args_get", "args_sizes_get", "environ_get", "environ_sizes_get",
            "clock_res_get", "clock_time_get", "random_get", "fd_fdstat_get", "fd_prestat_get", "fd_prestat_dir_name");

    private MustBlock() {
        super("host call must run on a thread that may block");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // a control signal, thrown often: no stack trace
    }
}
