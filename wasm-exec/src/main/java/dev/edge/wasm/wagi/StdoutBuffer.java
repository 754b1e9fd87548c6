package dev.edge.wasm.wagi;

import com.dylibso.chicory.wasm.ChicoryException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Collects a WAGI guest's stdout up to a cap. A write past the cap throws {@link TooLarge} out of
 * {@code fd_write}, which aborts the guest at once: nothing more is buffered, and a guest that ignores
 * write errors cannot keep running until the deadline.
 */
final class StdoutBuffer extends OutputStream {
    private final long max;
    private byte[] bytes = new byte[4096];
    private int length;

    StdoutBuffer(long max) {
        this.max = Math.min(max, Integer.MAX_VALUE - 16L);
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[length++] = (byte) b;
    }

    @Override
    public void write(byte[] data, int offset, int count) {
        ensure(count);
        System.arraycopy(data, offset, bytes, length, count);
        length += count;
    }

    private void ensure(int count) {
        long needed = (long) length + count;
        if (needed > max) {
            throw new TooLarge(max);
        }
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(max, Math.max(needed, (long) bytes.length * 2)));
        }
    }

    byte[] bytes() { return bytes; }

    int length() { return length; }

    /** Thrown from {@code fd_write} when the guest writes more than the response limit. */
    static final class TooLarge extends ChicoryException {
        TooLarge(long max) {
            super("stdout larger than the response limit of " + max + " bytes");
        }
    }
}
