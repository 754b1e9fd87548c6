package dev.edge.routes;

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
 * keeps camel-undertow's eager form parser away from the body so guests get the exact bytes sent.
 */
public final class RequestBodyReader implements CamelUndertowHttpHandler {
    static final AttachmentKey<byte[]> BODY = AttachmentKey.create(byte[].class);
    private static final byte[] EMPTY = new byte[0];

    private final long maxRequestBody;
    private volatile HttpHandler next;

    public RequestBodyReader(long maxRequestBody) {
        this.maxRequestBody = maxRequestBody;
    }

    @Override
    public void setNext(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        // An already-parsed form tells Undertow's form parsers there is nothing left to do.
        exchange.putAttachment(FormDataParser.FORM_DATA, new FormData(0));
        long declared = exchange.getRequestContentLength();
        if (declared > maxRequestBody) {
            tooLarge(exchange);
            return;
        }
        if (declared == 0 || (declared < 0 && !exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING))) {
            exchange.putAttachment(BODY, EMPTY);
            next.handleRequest(exchange);
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
        exchange.putAttachment(BODY, body);
        try {
            next.handleRequest(exchange);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void broken(HttpServerExchange exchange, java.io.IOException error) {
        if (!exchange.isResponseStarted()) {
            exchange.setStatusCode(400);
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
            exchange.setPersistent(false);
            exchange.endExchange();
        }
    }

    private static void tooLarge(HttpServerExchange exchange) {
        exchange.setStatusCode(413);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        // The unread body makes the connection unusable for another request.
        exchange.setPersistent(false);
        exchange.endExchange();
    }
}
