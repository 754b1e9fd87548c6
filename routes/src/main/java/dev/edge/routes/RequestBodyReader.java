package dev.edge.routes;

import dev.edge.wasm.MemoryBudget;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.form.FormData;
import io.undertow.server.handlers.form.FormDataParser;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import org.apache.camel.component.undertow.CamelUndertowHttpHandler;

/**
 * First handler in the ingress chain (camel-undertow's {@code handlers} option). Reads the whole body
 * on the IO thread without blocking, refuses bodies over the limit with 413 before any guest runs, and
 * keeps camel-undertow's eager form parser away from the body so guests get the exact bytes sent. A path with
 * a malformed percent-escape or that does not decode to UTF-8 is refused with 400 first ({@link RequestTargetCheck}).
 */
public final class RequestBodyReader implements CamelUndertowHttpHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequestBodyReader.class);
    static final AttachmentKey<byte[]> BODY = AttachmentKey.create(byte[].class);
    /** Why the request head is refused; the body is still read (and dropped) first, see {@link #handleRequest}. */
    private static final AttachmentKey<String> BAD_HEAD = AttachmentKey.create(String.class);
    private static final byte[] EMPTY = new byte[0];

    private final long maxRequestBody;
    private final MemoryBudget bodyBuffers;
    private volatile HttpHandler next;

    /** @param bodyBuffers the node's budget for buffered bodies; a body it cannot cover is answered 503 */
    public RequestBodyReader(long maxRequestBody, MemoryBudget bodyBuffers) {
        this.maxRequestBody = maxRequestBody;
        this.bodyBuffers = bodyBuffers;
    }

    @Override
    public void setNext(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String badTarget = RequestTargetCheck.problem(rawPath(exchange.getRequestURI()));
        if (badTarget == null) {
            badTarget = RequestTargetCheck.headerProblem(exchange.getRequestHeaders());
        }
        if (badTarget != null) {
            // Refused, but only after the body is read like any other (within the limit): closing a socket with
            // unread input makes the kernel send a reset, and the client would never see the 400.
            LOG.debug("400 for {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), badTarget);
            exchange.putAttachment(BAD_HEAD, badTarget);
        }
        // An already-parsed form tells Undertow's form parsers there is nothing left to do.
        exchange.putAttachment(FormDataParser.FORM_DATA, new FormData(0));
        long declared = exchange.getRequestContentLength();
        if (declared > maxRequestBody) {
            tooLarge(exchange);
            return;
        }
        if (declared == 0 || (declared < 0 && !exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING))) {
            proceed(exchange, EMPTY);
            return;
        }
        BodyBufferReservation reservation = BodyBufferReservation.of(exchange, bodyBuffers);
        if (declared > 0) {
            // Length known and within the limit: reserve it, then Undertow reads it in one go.
            if (!reservation.grow(declared)) {
                overloaded(exchange);
                return;
            }
            exchange.getRequestReceiver().receiveFullBytes(this::proceed, RequestBodyReader::broken);
            return;
        }
        // Chunked: read on a worker thread (it blocks) and stop as soon as the limit is passed.
        exchange.dispatch(() -> readChunked(exchange, reservation));
    }

    private void readChunked(HttpServerExchange exchange, BodyBufferReservation reservation) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            exchange.startBlocking();
            java.io.InputStream in = exchange.getInputStream();
            int n;
            while ((n = in.read(chunk)) >= 0) {
                if (body.size() + (long) n > maxRequestBody) {
                    tooLarge(exchange);
                    return;
                }
                if (!reservation.grow(n)) {
                    overloaded(exchange);
                    return;
                }
                body.write(chunk, 0, n);
            }
        } catch (java.io.IOException e) {
            broken(exchange, e);
            return;
        }
        proceed(exchange, body.toByteArray());
    }

    private void proceed(HttpServerExchange exchange, byte[] body) {
        if (exchange.getAttachment(BAD_HEAD) != null) {
            refuse(exchange, 400);
            return;
        }
        exchange.putAttachment(BODY, body);
        try {
            next.handleRequest(exchange);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void broken(HttpServerExchange exchange, java.io.IOException error) {
        if (!exchange.isResponseStarted()) {
            refuse(exchange, 400);
        }
    }

    private static void tooLarge(HttpServerExchange exchange) {
        refuse(exchange, 413);
    }

    /** The node's body-buffer budget is used up by other requests: 503, retry in a second. */
    private static void overloaded(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
        refuse(exchange, 503);
    }

    /** An empty-bodied answer that closes the connection: an unread body makes it unusable for another request. */
    private static void refuse(HttpServerExchange exchange, int status) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        exchange.setPersistent(false);
        exchange.endExchange();
    }

    /** The path of an origin-form or absolute-form target (Undertow keeps the form the client sent). */
    static String rawPath(String uri) {
        if (uri.equals("*")) {
            return "/"; // OPTIONS *
        }
        if (!uri.startsWith("/") && uri.contains("://")) {
            int scheme = uri.indexOf("://");
            int slash = scheme < 0 ? -1 : uri.indexOf('/', scheme + 3);
            return slash < 0 ? "/" : uri.substring(slash);
        }
        return uri;
    }
}
