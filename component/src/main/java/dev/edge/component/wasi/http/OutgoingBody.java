package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.ComponentTrap;
import dev.edge.component.wasi.io.HostOutputStream;

/**
 * The {@code outgoing-body} resource: a body collected in memory within a limit. {@code write} gives its
 * stream once; {@code finish} completes it (trailers are accepted and dropped: edge's HTTP/1.1 answers do
 * not carry them). A stream write past the limit fails with {@code last-operation-failed}.
 */
public final class OutgoingBody implements AutoCloseable {
    private final LimitedBuffer buffer;
    private final int bodySizeError;
    private final Runnable onFinish;
    private HostOutputStream stream;
    private boolean finished;

    /** @param bodySizeError the {@code error-code} case for a body past the limit (request or response) */
    OutgoingBody(long limit, int bodySizeError, Runnable onFinish) {
        this.buffer = new LimitedBuffer(limit);
        this.bodySizeError = bodySizeError;
        this.onFinish = onFinish;
    }

    Variant write() {
        if (stream != null) {
            return Variant.err(null);
        }
        stream = new HostOutputStream(buffer);
        return Variant.ok(stream);
    }

    /** {@code finish}: {@code result<_, error-code>}; a body that passed its limit is {@code *-body-size}. */
    Variant finish() {
        if (stream != null && !stream.isClosed()) {
            throw new ComponentTrap("outgoing-body.finish called while its output-stream is still alive");
        }
        finished = true;
        if (buffer.exceeded()) {
            return Variant.err(new Variant(bodySizeError, Variant.some(buffer.limit())));
        }
        onFinish.run();
        return Variant.ok(null);
    }

    boolean finished() {
        return finished;
    }

    boolean exceeded() {
        return buffer.exceeded();
    }

    byte[] bytes() {
        return buffer.toByteArray();
    }

    /** Dropped without {@code finish}: the body is incomplete (its message must not be sent as complete). */
    @Override
    public void close() {
    }
}
