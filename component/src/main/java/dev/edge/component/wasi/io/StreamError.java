package dev.edge.component.wasi.io;

import dev.edge.component.abi.Variant;

/**
 * The {@code wasi:io/streams.stream-error} variant, thrown by stream implementations and returned to the
 * guest as {@code err}: case 0 {@code last-operation-failed(error)}, case 1 {@code closed}.
 */
public final class StreamError extends Exception {
    private final IoError error;

    private StreamError(IoError error) {
        super(error == null ? "closed" : error.toDebugString(), null, false, false);
        this.error = error;
    }

    public static StreamError closed() {
        return new StreamError(null);
    }

    public static StreamError failed(String message) {
        return new StreamError(new IoError(message));
    }

    public boolean isClosed() {
        return error == null;
    }

    /** The value the guest sees. */
    public Variant toValue() {
        return error == null ? new Variant(1, null) : new Variant(0, error);
    }
}
