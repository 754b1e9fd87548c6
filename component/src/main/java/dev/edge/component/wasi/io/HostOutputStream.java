package dev.edge.component.wasi.io;

import dev.edge.component.host.ComponentTrap;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The {@code wasi:io/streams.output-stream} resource over a Java {@link OutputStream}. Writes complete at
 * once, so {@code check-write} always grants {@link #PERMIT} bytes and the pollable is always ready. An
 * {@link IOException} from the target becomes {@code last-operation-failed} and closes the stream, as the
 * WIT says (a stream that failed is closed for good).
 */
public class HostOutputStream implements AutoCloseable {
    /** Bytes {@code check-write} grants; a larger {@code write} traps, as the WIT requires. */
    public static final long PERMIT = 1 << 20;
    /** Largest {@code blocking-write-and-flush}, by the WIT ("a write of up to 4096 bytes"). */
    public static final int BLOCKING_WRITE_MAX = 4096;

    private final OutputStream out;
    private boolean failed;
    private boolean closed;

    public HostOutputStream(OutputStream out) {
        this.out = out;
    }

    public long checkWrite() throws StreamError {
        ensureOpen();
        return PERMIT;
    }

    public void write(byte[] contents) throws StreamError {
        ensureOpen();
        if (contents.length > PERMIT) {
            throw new ComponentTrap("output-stream.write of " + contents.length + " bytes exceeds the "
                    + PERMIT + " that check-write permits");
        }
        try {
            out.write(contents);
        } catch (IOException e) {
            failed = true;
            throw StreamError.failed(e.getMessage());
        }
    }

    public void blockingWriteAndFlush(byte[] contents) throws StreamError {
        if (contents.length > BLOCKING_WRITE_MAX) {
            throw new ComponentTrap("blocking-write-and-flush of " + contents.length + " bytes exceeds "
                    + BLOCKING_WRITE_MAX);
        }
        write(contents);
        flush();
    }

    public void flush() throws StreamError {
        ensureOpen();
        try {
            out.flush();
        } catch (IOException e) {
            failed = true;
            throw StreamError.failed(e.getMessage());
        }
    }

    /** Moves up to {@code len} bytes from {@code src}; {@code closed} when {@code src} is at its end. */
    public long splice(HostInputStream src, long len) throws StreamError {
        ensureOpen();
        long limit = Long.compareUnsigned(len, PERMIT) > 0 ? PERMIT : len;
        byte[] chunk = src.read(limit);
        write(chunk);
        return chunk.length;
    }

    public void writeZeroes(long len) throws StreamError {
        ensureOpen();
        if (Long.compareUnsigned(len, PERMIT) > 0) {
            throw new ComponentTrap("output-stream.write-zeroes of " + Long.toUnsignedString(len)
                    + " bytes exceeds the " + PERMIT + " that check-write permits");
        }
        write(new byte[(int) len]);
    }

    public Pollable subscribe() {
        return Pollable.READY;
    }

    /** Whether the guest dropped it (a body's stream must be dropped before the body is finished). */
    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() throws StreamError {
        if (failed || closed) {
            throw StreamError.closed();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            out.flush();
        } catch (IOException e) {
            // dropped by the guest: nobody is left to tell
        }
    }
}
