package dev.edge.routes;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import org.slf4j.MDC;

/**
 * The outermost handler of the public listener: gives every request its {@link RequestId} (as the
 * {@code x-request-id} request header, so guests and upstreams get it, and in the MDC while the request's handlers
 * run on this thread) and, with an {@link AccessLog}, logs the request once it is complete, whoever answered it. With
 * no access log nothing is recorded per request. What answered is noted on the exchange ({@link #ROUTE},
 * {@link #UPSTREAM}, {@link #TARGET}) by the handlers that know.
 */
final class ObservedRequests {
    /** The component, fixed label or stage that answered (as in {@code edge_http_requests_seconds}'s target). */
    static final AttachmentKey<String> ROUTE = AttachmentKey.create(String.class);
    /** The upstream a proxied request went to: a URL or {@code upstream:<pool>}. */
    static final AttachmentKey<String> UPSTREAM = AttachmentKey.create(String.class);
    /** The upstream's target last tried. */
    static final AttachmentKey<String> TARGET = AttachmentKey.create(String.class);
    private static final HttpString HEADER = new HttpString(RequestId.HEADER);

    private final AccessLog log;

    /** @param log the access log, or null for none */
    ObservedRequests(AccessLog log) {
        this.log = log;
    }

    HttpHandler wrap(HttpHandler next) {
        return exchange -> {
            String id = requestId(exchange.getRequestHeaders());
            if (log != null) {
                long startNanos = System.nanoTime();
                long startMillis = System.currentTimeMillis();
                exchange.addExchangeCompleteListener((ex, nextListener) -> {
                    try {
                        log.log(entry(ex, id, startMillis, System.nanoTime() - startNanos));
                    } finally {
                        nextListener.proceed();
                    }
                });
            }
            MDC.put(RequestId.MDC_KEY, id);
            try {
                next.handleRequest(exchange);
            } finally {
                MDC.remove(RequestId.MDC_KEY);
            }
        };
    }

    /** Keeps one valid client id, else replaces whatever was sent with a fresh one. */
    private static String requestId(HeaderMap headers) {
        HeaderValues sent = headers.get(HEADER);
        if (sent != null && RequestId.valid(sent.getFirst())) {
            if (sent.size() > 1) {
                headers.put(HEADER, sent.getFirst());
            }
            return sent.getFirst();
        }
        String id = RequestId.generate();
        headers.put(HEADER, id);
        return id;
    }

    private static AccessLog.Entry entry(HttpServerExchange ex, String id, long startMillis, long nanos) {
        String query = ex.getQueryString();
        String uri = query == null || query.isEmpty() ? ex.getRequestURI() : ex.getRequestURI() + '?' + query;
        HeaderMap headers = ex.getRequestHeaders();
        return new AccessLog.Entry(startMillis, client(ex.getSourceAddress()), ex.getRequestMethod().toString(), uri,
                ex.getProtocol().toString(), ex.getStatusCode(), Math.max(0, ex.getResponseBytesSent()), nanos,
                ex.getAttachment(ROUTE), ex.getAttachment(UPSTREAM), ex.getAttachment(TARGET), id,
                headers.getFirst(Headers.REFERER), headers.getFirst(Headers.USER_AGENT));
    }

    private static String client(InetSocketAddress address) {
        if (address == null) {
            return null;
        }
        return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    }
}
