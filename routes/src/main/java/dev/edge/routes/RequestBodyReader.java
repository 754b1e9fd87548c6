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
 * First handler in the ingress chain (camel-undertow's {@code handlers} option). Lets the {@link StageFront}
 * take a well-formed request on its head (a proxied body is streamed, not read here). Otherwise reads the whole body
 * on the IO thread without blocking ({@link BodyReceiver}, which answers 413 past the limit) before any guest runs, and
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

    private final long maxRequestBody;
    private final MemoryBudget bodyBuffers;
    private final StageFront stages;
    private volatile HttpHandler next;

    public RequestBodyReader(long maxRequestBody) {
        this(maxRequestBody, MemoryBudget.bodyDefault(), null);
    }

    /** @param bodyBuffers the node's budget for buffered bodies; a body it cannot cover is answered 503 */
    public RequestBodyReader(long maxRequestBody, MemoryBudget bodyBuffers) {
        this(maxRequestBody, bodyBuffers, null);
    }

    /**
     * @param bodyBuffers the node's budget for buffered bodies; a body it cannot cover is answered 503
     * @param stages      run on the head of every well-formed request within the limit; null for none
     */
    RequestBodyReader(long maxRequestBody, MemoryBudget bodyBuffers, StageFront stages) {
        this.maxRequestBody = maxRequestBody;
        this.bodyBuffers = java.util.Objects.requireNonNull(bodyBuffers, "bodyBuffers");
        this.stages = stages;
    }

    @Override
    public void setNext(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        boolean bareCr = BareCrGuard.headHadBareCr(exchange); // asked for every request, to stay in step
        String badTarget = RequestTargetCheck.problem(rawPath(exchange.getRequestURI()));
        if (badTarget == null) {
            badTarget = RequestTargetCheck.headerProblem(exchange.getRequestHeaders());
        }
        if (badTarget == null && bareCr) {
            badTarget = "bare CR in the request head"; // RFC 9112 §2.2; Undertow would have split the line there
        }
        if (badTarget != null) {
            // Refused, but only after the body is read like any other (within the limit): closing a socket with
            // unread input makes the kernel send a reset, and the client would never see the 400.
            LOG.debug("400 for {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), badTarget);
            exchange.putAttachment(BAD_HEAD, badTarget);
        }
        int badFraming = RequestFraming.refusal(exchange.getRequestHeaders());
        if (badFraming != 0) {
            // Where the body ends is unknown: answer without reading it, and close.
            LOG.debug("{} for {} {}: transfer coding {}", badFraming, exchange.getRequestMethod(),
                    exchange.getRequestURI(), exchange.getRequestHeaders().get(Headers.TRANSFER_ENCODING));
            BodyReceiver.refuseUnread(exchange, badFraming);
            return;
        }
        boolean withinLimit = exchange.getRequestContentLength() <= maxRequestBody;
        if (badTarget == null && withinLimit && stages != null && stages.take(exchange, () -> receiveBody(exchange))) {
            return;
        }
        receiveBody(exchange);
    }

    private void receiveBody(HttpServerExchange exchange) {
        // An already-parsed form tells Undertow's form parsers there is nothing left to do (a forwarded request,
        // streamed by the proxy, never meets them: it is not set there).
        exchange.putAttachment(FormDataParser.FORM_DATA, new FormData(0));
        BodyReceiver.receive(exchange, maxRequestBody, bodyBuffers, new BodyReceiver.Callback() {
            @Override
            public void received(HttpServerExchange ex, byte[] body) {
                proceed(ex, body);
            }

            @Override
            public void failed(HttpServerExchange ex, java.io.IOException error) {
                broken(ex, error);
            }
        });
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
