package dev.edge.routes;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

/**
 * Keeps a clear-text HTTP/1.x connection's socket registered for reads while a request without a body runs.
 *
 * <p>Undertow 2.3.23 suspends a connection's reads once a request head is parsed (UNDERTOW-1856, so that a read
 * timeout cannot fire while the request runs) and resumes them when the exchange completes. When the request outlives
 * its IO-thread pass (a proxied request always does), the JDK's epoll selector makes that an {@code EPOLL_CTL_DEL} and
 * an {@code EPOLL_CTL_ADD} per request. Resumed again in the same pass, the selector's interest never changes and no
 * system call is made; Undertow's read listener then suspends lazily, as it did before that fix (its compare-and-set
 * on the request state is still there): bytes that come while a request runs (the next pipelined request, the
 * client's close) make it suspend reads until the exchange completes, and they are read then, in order.
 *
 * <p>Only where nothing else reads the socket during the request: no body (Undertow has ended the request), no bytes
 * of a next request already read, no {@code Upgrade}, {@code CONNECT} or {@code Expect}, on the IO thread. Not over
 * TLS (Undertow suspends there itself: the SSL conduit is not thread-safe) and not HTTP/2 (another connection type).
 * It arms no timer: the listener sets no {@code READ_TIMEOUT}, and Undertow's HTTP/1 idle-timeout conduit never gets
 * a timeout ({@code HttpOpenListener} does not set one); {@code ReadInterestTest} runs a request slower than every
 * listener timeout to catch a change in either.
 */
final class ReadInterest implements HttpHandler {
    private final HttpHandler next;

    ReadInterest(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.getConnection() instanceof HttpServerConnection connection && keepable(exchange, connection)) {
            connection.getOriginalSourceConduit().resumeReads();
        }
        next.handleRequest(exchange);
    }

    private static boolean keepable(HttpServerExchange exchange, HttpServerConnection connection) {
        if (!exchange.isRequestComplete() || connection.getExtraBytes() != null || connection.getPipelineBuffer() != null
                || !exchange.isInIoThread() || !(exchange.isHttp11() || exchange.isHttp10())
                || exchange.getRequestMethod().equals(Methods.CONNECT)) {
            return false;
        }
        HeaderMap headers = exchange.getRequestHeaders();
        return !headers.contains(Headers.UPGRADE) && !headers.contains(Headers.EXPECT)
                && !headers.contains(Headers.TRANSFER_ENCODING);
    }
}
