package dev.edge.routes;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.form.FormData;
import io.undertow.server.handlers.form.FormDataParser;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import org.apache.camel.component.undertow.CamelUndertowHttpHandler;

/**
 * First handler in the ingress chain (camel-undertow's {@code handlers} option). Lets the {@link StageFront}
 * take a well-formed request on its head (a proxied body is streamed, not read here). Otherwise reads the whole body
 * on the IO thread without blocking, refuses bodies over the limit with 413 before any guest runs, and
 * keeps camel-undertow's eager form parser away from the body so guests get the exact bytes sent. A path with
 * a malformed percent-escape or that does not decode to UTF-8 is refused with 400 first ({@link RequestTargetCheck}).
 */
public final class RequestBodyReader implements CamelUndertowHttpHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequestBodyReader.class);
    static final AttachmentKey<byte[]> BODY = AttachmentKey.create(byte[].class);
    /** Why the request head is refused; the body is still read (and dropped) first, see {@link #handleRequest}. */
    private static final AttachmentKey<String> BAD_HEAD = AttachmentKey.create(String.class);
    /** A stage's answer ({@link StageFront}), sent instead of routing once the body is read. */
    static final AttachmentKey<dev.edge.wasm.GuestResponse> ANSWER = AttachmentKey.create(dev.edge.wasm.GuestResponse.class);
    private static final byte[] EMPTY = new byte[0];

    private final long maxRequestBody;
    private final StageFront stages;
    private volatile HttpHandler next;

    public RequestBodyReader(long maxRequestBody) {
        this(maxRequestBody, null);
    }

    /** @param stages run on the head of every well-formed request within the limit; null for none */
    RequestBodyReader(long maxRequestBody, StageFront stages) {
        this.maxRequestBody = maxRequestBody;
        this.stages = stages;
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
        if (badTarget == null && stages != null && stages.take(exchange, () -> readBody(exchange))) {
            return;
        }
        readBody(exchange);
    }

    private void readBody(HttpServerExchange exchange) {
        long declared = exchange.getRequestContentLength();
        if (declared == 0 || (declared < 0 && !exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING))) {
            proceed(exchange, EMPTY);
            return;
        }
        if (declared > 0) {
            // Length known and within the limit: Undertow reads it in one go.
            exchange.getRequestReceiver().receiveFullBytes(this::proceed, RequestBodyReader::broken);
            return;
        }
        // Chunked: read on a worker thread (it blocks) and stop as soon as the limit is passed.
        exchange.dispatch(() -> readChunked(exchange));
    }

    private void readChunked(HttpServerExchange exchange) {
        byte[] body;
        try {
            exchange.startBlocking();
            body = exchange.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxRequestBody + 1));
        } catch (java.io.IOException e) {
            broken(exchange, e);
            return;
        }
        if (body.length > maxRequestBody) {
            tooLarge(exchange);
            return;
        }
        proceed(exchange, body);
    }

    private void proceed(HttpServerExchange exchange, byte[] body) {
        if (exchange.getAttachment(BAD_HEAD) != null) {
            refuse(exchange, 400);
            return;
        }
        dev.edge.wasm.GuestResponse answer = exchange.getAttachment(ANSWER);
        if (answer != null) {
            exchange.getResponseSender().send(SpinUndertowBinding.writeHead(exchange, answer));
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
