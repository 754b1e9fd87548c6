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
    private final long contentLength;
    private final Runnable onFinish;
    private HostOutputStream stream;
    private boolean finished;

    /**
     * @param bodySizeError the {@code error-code} case for a body past the limit or its content-length
     * @param headers       the message's headers, for its {@code content-length}
     */
    OutgoingBody(long limit, int bodySizeError, Fields headers, Runnable onFinish) {
        this.buffer = new LimitedBuffer(limit);
        this.bodySizeError = bodySizeError;
        this.contentLength = contentLength(headers);
        this.onFinish = onFinish;
    }

    Variant write() {
        if (stream != null) {
            return Variant.err(null);
        }
        stream = new HostOutputStream(buffer);
        return Variant.ok(stream);
    }

    /**
     * {@code finish}: {@code result<_, error-code>}. A body that passed its limit, or whose length differs from
     * the message's {@code content-length} (wasmtime checks this too), is {@code *-body-size(some(written))}
     * and stays unfinished.
     */
    Variant finish() {
        if (stream != null && !stream.isClosed()) {
            throw new ComponentTrap("outgoing-body.finish called while its output-stream is still alive");
        }
        if (buffer.exceeded()) {
            return Variant.err(new Variant(bodySizeError, Variant.some(buffer.limit())));
        }
        long written = buffer.toByteArray().length;
        if (contentLength >= 0 && written != contentLength) {
            return Variant.err(new Variant(bodySizeError, Variant.some(written)));
        }
        finished = true;
        onFinish.run();
        return Variant.ok(null);
    }

    /** The {@code content-length} value, -1 when absent or not a single non-negative number. */
    private static long contentLength(Fields headers) {
        java.util.List<Object> values = headers.get("content-length");
        if (values.size() != 1) {
            return -1;
        }
        String text = new String((byte[]) values.get(0), java.nio.charset.StandardCharsets.ISO_8859_1).trim();
        return text.matches("\\d{1,18}") ? Long.parseLong(text) : -1;
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
