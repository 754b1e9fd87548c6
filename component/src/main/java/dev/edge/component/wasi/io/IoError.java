package dev.edge.component.wasi.io;

/** The {@code wasi:io/error.error} resource: an opaque failure whose debug string is for humans only. */
public final class IoError {
    private final String message;

    public IoError(String message) {
        this.message = message;
    }

    public String toDebugString() {
        return message;
    }

    @Override
    public String toString() {
        return message;
    }
}
