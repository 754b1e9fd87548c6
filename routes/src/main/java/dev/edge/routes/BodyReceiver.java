package dev.edge.routes;

import dev.edge.wasm.MemoryBudget;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.util.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * Reads a whole request body, in any framing, without ever blocking a thread: Undertow's {@code Receiver} hands
 * over what has arrived on the connection's IO thread. A body larger than the limit is answered 413 with
 * {@code Connection: close} at once; the rest of it is then read and dropped for at most {@link #LINGER_SECONDS}
 * (as nginx's lingering close does), so the client reads the 413 rather than a reset.
 */
public final class BodyReceiver {
    /** How long the unread rest of a refused body is drained before the connection is closed regardless. */
    static final int LINGER_SECONDS = 5;

    /** What becomes of the body; called on the connection's IO thread. */
    public interface Callback {
        /** The complete body, at most the limit. */
        void received(HttpServerExchange exchange, byte[] body);

        /** The framing broke or the connection failed before the body was complete. */
        void failed(HttpServerExchange exchange, IOException error);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BodyReceiver.class);
    private static final byte[] EMPTY = new byte[0];

    private BodyReceiver() {}

    /** Reads the body of {@code exchange}; over {@code limit} bytes it answers 413 itself and {@code callback} is not called. */
    public static void receive(HttpServerExchange exchange, long limit, Callback callback) {
        receive(exchange, limit, null, callback);
    }

    /**
     * As {@link #receive(HttpServerExchange, long, Callback)}, with every buffered byte reserved from the node's
     * body-buffer budget first (a declared length up front, chunked bytes as they arrive); a body the budget cannot
     * cover is answered 503 + {@code Retry-After: 1} and {@code callback} is not called.
     *
     * @param bodyBuffers the node's budget for buffered bodies; null for none
     */
    static void receive(HttpServerExchange exchange, long limit, MemoryBudget bodyBuffers, Callback callback) {
        long declared = exchange.getRequestContentLength();
        if (declared > limit) {
            refuseUnread(exchange, 413);
            return;
        }
        // HTTP/1.x without Content-Length or Transfer-Encoding has no body; HTTP/2 frames it by the stream instead.
        boolean http1 = exchange.isHttp11() || exchange.isHttp10() || exchange.isHttp09();
        if (declared == 0 || (http1 && declared < 0 && !exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING))) {
            callback.received(exchange, EMPTY);
            return;
        }
        BodyBufferReservation reservation = bodyBuffers == null ? null : BodyBufferReservation.of(exchange, bodyBuffers);
        if (reservation != null && declared > 0 && !reservation.grow(declared)) {
            overloadedUnread(exchange);
            return;
        }
        Accumulator body = new Accumulator(declared, limit);
        StallWatch stall = StallWatch.start(exchange);
        exchange.getRequestReceiver().receivePartialBytes((ex, bytes, last) -> {
            if (stall != null) {
                stall.progressed();
            }
            if (body.refused) {
                if (last) {
                    ex.endExchange();
                }
                return; // draining the rest of a refused body
            }
            if (!body.add(bytes)) {
                body.refused = true;
                answerNow(ex, 413);
                if (last) {
                    ex.endExchange();
                }
                return;
            }
            // Chunked bytes are reserved as they arrive; a declared length was reserved whole above.
            if (reservation != null && declared < 0 && !reservation.grow(bytes.length)) {
                body.refused = true;
                ex.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
                answerNow(ex, 503);
                if (last) {
                    ex.endExchange();
                }
                return;
            }
            if (last) {
                callback.received(ex, body.bytes());
            }
        }, callback::failed);
    }

    /**
     * Answers {@code status} (empty, {@code Connection: close}) before any of the body is read, then reads and drops
     * the body for at most {@link #LINGER_SECONDS}, so the client reads the answer rather than a reset. A client
     * waiting for {@code 100 Continue} has sent no body, so there is nothing to drain.
     */
    public static void refuseUnread(HttpServerExchange exchange, int status) {
        answerNow(exchange, status);
        if (HttpContinue.requiresContinueResponse(exchange)) {
            exchange.endExchange();
            return;
        }
        exchange.getRequestReceiver().receivePartialBytes((ex, bytes, last) -> {
            if (last) {
                ex.endExchange();
            }
        }, (ex, error) -> IoUtils.safeClose(ex.getConnection()));
    }

    /** The node's body-buffer budget is used up by other requests: 503, retry in a second, body left unread. */
    private static void overloadedUnread(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
        refuseUnread(exchange, 503);
    }

    /** Sends the complete answer now, while the request body may still be arriving, and bounds the drain. */
    private static void answerNow(HttpServerExchange exchange, int status) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        exchange.setPersistent(false);
        StreamSinkChannel response = exchange.getResponseChannel();
        try {
            response.shutdownWrites();
            if (!response.flush()) {
                response.getWriteSetter().set(ChannelListeners.flushingChannelListener(null,
                        (channel, error) -> IoUtils.safeClose(exchange.getConnection())));
                response.resumeWrites();
            }
        } catch (IOException e) {
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        exchange.getIoThread().executeAfter(() -> {
            if (!exchange.isComplete()) {
                IoUtils.safeClose(exchange.getConnection());
            }
        }, LINGER_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Closes an HTTP/1.x connection whose body stops arriving for the listener's {@code IDLE_TIMEOUT}: Undertow 2.3.23
     * never applies that option to an HTTP/1 connection, and a stalled body would otherwise hold its connection and its
     * body-buffer reservation for ever. One timer per body, re-armed from the last progress when it fires (not per
     * read); on the connection's IO thread, as the body's callbacks are. HTTP/2 is left alone: closing the connection
     * would end every other stream on it.
     */
    private static final class StallWatch implements Runnable {
        private final HttpServerExchange exchange;
        private final long idleNanos;
        private long lastProgress = System.nanoTime();

        private StallWatch(HttpServerExchange exchange, long idleNanos) {
            this.exchange = exchange;
            this.idleNanos = idleNanos;
        }

        static StallWatch start(HttpServerExchange exchange) {
            Integer idleMillis = exchange.getConnection().getUndertowOptions().get(UndertowOptions.IDLE_TIMEOUT);
            if (idleMillis == null || idleMillis <= 0 || !(exchange.isHttp11() || exchange.isHttp10())) {
                return null;
            }
            StallWatch watch = new StallWatch(exchange, TimeUnit.MILLISECONDS.toNanos(idleMillis));
            watch.arm(watch.idleNanos);
            return watch;
        }

        void progressed() {
            lastProgress = System.nanoTime();
        }

        @Override
        public void run() {
            if (exchange.isRequestComplete() || exchange.isComplete() || !exchange.getConnection().isOpen()) {
                return;
            }
            long idle = System.nanoTime() - lastProgress;
            if (idle < idleNanos) {
                arm(idleNanos - idle);
                return;
            }
            LOG.debug("closing {}: its request body sent nothing for {} ms", exchange.getConnection().getPeerAddress(),
                    TimeUnit.NANOSECONDS.toMillis(idle));
            IoUtils.safeClose(exchange.getConnection());
        }

        private void arm(long nanos) {
            exchange.getIoThread().executeAfter(this, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The body so far; sized up front when the length is declared. */
    private static final class Accumulator {
        private final long limit;
        private final byte[] declared;
        private final ByteArrayOutputStream chunked;
        private int size;
        boolean refused;

        Accumulator(long declaredLength, long limit) {
            this.limit = limit;
            this.declared = declaredLength > 0 ? new byte[(int) declaredLength] : null;
            this.chunked = declaredLength > 0 ? null : new ByteArrayOutputStream();
        }

        /** False once the body would pass the limit (or its declared length). */
        boolean add(byte[] bytes) {
            if ((long) size + bytes.length > limit || (declared != null && size + bytes.length > declared.length)) {
                return false;
            }
            if (declared != null) {
                System.arraycopy(bytes, 0, declared, size, bytes.length);
            } else {
                chunked.writeBytes(bytes);
            }
            size += bytes.length;
            return true;
        }

        byte[] bytes() {
            return declared != null ? declared : chunked.toByteArray();
        }
    }
}
