package dev.edge.component.wasi.io;

import java.io.IOException;
import java.io.InputStream;

/**
 * The {@code wasi:io/streams.input-stream} resource over a Java {@link InputStream}. Edge's sources (request
 * bodies, files, stdin, buffered responses) never make a guest wait long, so {@code read} may block like
 * {@code blocking-read} and the stream's pollable is always ready.
 */
public class HostInputStream implements AutoCloseable {
    /** Largest chunk one read returns, whatever {@code len} the guest asks for (wasmtime caps reads too). */
    public static final int MAX_CHUNK = 64 * 1024;

    private final InputStream in;
    private boolean closed;

    public HostInputStream(InputStream in) {
        this.in = in;
    }

    /** stdin of a server component: at end of stream at once. */
    public static HostInputStream empty() {
        return new HostInputStream(InputStream.nullInputStream());
    }

    public static HostInputStream of(byte[] bytes) {
        return new HostInputStream(new java.io.ByteArrayInputStream(bytes));
    }

    /** Up to {@code len} bytes (u64 raw bits); {@code closed} at end of stream. */
    public byte[] read(long len) throws StreamError {
        if (closed) {
            throw StreamError.closed();
        }
        int max = (int) Math.min(Long.compareUnsigned(len, MAX_CHUNK) > 0 ? MAX_CHUNK : len, MAX_CHUNK);
        if (max == 0) {
            return new byte[0];
        }
        byte[] buffer = new byte[max];
        int n;
        try {
            n = in.read(buffer, 0, max);
        } catch (IOException e) {
            throw StreamError.failed(e.toString());
        }
        if (n < 0) {
            throw StreamError.closed();
        }
        return n == max ? buffer : java.util.Arrays.copyOf(buffer, n);
    }

    public long skip(long len) throws StreamError {
        return read(len).length;
    }

    public Pollable subscribe() {
        return Pollable.READY;
    }

    @Override
    public void close() {
        closed = true;
        try {
            in.close();
        } catch (IOException e) {
            // nothing to tell the guest after its drop
        }
    }
}
