package dev.edge.wasm;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Splits a guest's WASI output into lines for a {@link GuestOutputSink}; a line is capped at {@link #MAX_LINE} bytes. */
public final class GuestOutputStream extends OutputStream {
    public static final int MAX_LINE = 4096;

    private final String componentId;
    private final String stream;
    private final GuestOutputSink sink;
    private final byte[] line = new byte[MAX_LINE];
    private int length;

    public GuestOutputStream(String componentId, String stream, GuestOutputSink sink) {
        this.componentId = componentId;
        this.stream = stream;
        this.sink = sink;
    }

    @Override
    public void write(int b) {
        if (b == '\n') {
            emit();
            return;
        }
        if (length == MAX_LINE) {
            emit();
        }
        line[length++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int count) {
        for (int i = offset; i < offset + count; i++) {
            write(bytes[i]);
        }
    }

    /** Emits a pending partial line (used when an instance is discarded). */
    public void drain() {
        if (length > 0) {
            emit();
        }
    }

    private void emit() {
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        length = 0;
        try {
            sink.line(componentId, stream, text);
        } catch (RuntimeException e) {
            // a broken sink must not fail the guest
        }
    }
}
