package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;
import dev.edge.component.wasi.io.HostInputStream;

/** The {@code incoming-body} resource: its stream can be taken once; {@code finish} gives (no) trailers. */
public final class IncomingBody implements AutoCloseable {
    private final HostInputStream stream;
    private boolean streamTaken;

    IncomingBody(HostInputStream stream) {
        this.stream = stream;
    }

    /** {@code stream}: {@code result<input-stream>}, ok only the first time. */
    Variant stream() {
        if (streamTaken) {
            return Variant.err(null);
        }
        streamTaken = true;
        return Variant.ok(stream);
    }

    FutureTrailers finish() {
        return new FutureTrailers();
    }

    @Override
    public void close() {
        if (!streamTaken) {
            stream.close();
        }
    }
}
