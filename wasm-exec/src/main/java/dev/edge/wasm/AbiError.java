package dev.edge.wasm;

/** A host call failed with an ABI error code; the guest sees the code and {@code last_error} the message. */
final class AbiError extends RuntimeException {
    private final int code;

    AbiError(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    int code() { return code; }
}
