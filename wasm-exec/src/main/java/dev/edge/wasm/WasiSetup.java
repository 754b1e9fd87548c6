package dev.edge.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiOptions;

/**
 * Per-component WASI configuration applied to every instance of the component, e.g. its read-only
 * {@code files} ({@code dev.edge.wasm.wasi.GuestFiles}). The handler that receives it owns it and closes it.
 */
public interface WasiSetup extends AutoCloseable {

    /** Adds preopened directories (or anything else) to an instance's WASI options. */
    void configure(WasiOptions.Builder options);

    /** The WASI functions to link, derived from Chicory's (e.g. with writes refused). */
    HostFunction[] link(HostFunction[] wasiFunctions);

    @Override
    default void close() {}

    /** No files, Chicory's WASI functions unchanged. */
    static WasiSetup none() {
        return None.INSTANCE;
    }

    /** The no-op setup. */
    enum None implements WasiSetup {
        INSTANCE;

        @Override
        public void configure(WasiOptions.Builder options) {}

        @Override
        public HostFunction[] link(HostFunction[] wasiFunctions) {
            return wasiFunctions;
        }
    }
}
