package dev.edge.component.wasi.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** A body collected in memory up to a limit; a write past it fails and marks the buffer {@link #exceeded()}. */
final class LimitedBuffer extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final long limit;
    private boolean exceeded;

    LimitedBuffer(long limit) {
        this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (bytes.size() + (long) len > limit) {
            exceeded = true;
            throw new IOException("body larger than " + limit + " bytes");
        }
        bytes.write(b, off, len);
    }

    boolean exceeded() {
        return exceeded;
    }

    long limit() {
        return limit;
    }

    byte[] toByteArray() {
        return bytes.toByteArray();
    }
}
