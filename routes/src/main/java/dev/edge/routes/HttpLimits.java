package dev.edge.routes;

import java.time.Duration;

/**
 * What the ingress listener accepts from a client before any guest runs (docs/security.md). Requests
 * beyond these limits get a 4xx (or the connection is closed) and never reach routing.
 *
 * @param maxRequestBody      larger bodies (declared or chunked) are refused with 413
 * @param maxHeaderBytes      request line plus all headers, in bytes; more is a 400 and the connection closes
 * @param maxHeaders          header fields per request; more is a 400
 * @param maxQueryParameters  query parameters Undertow will split; more is a 400
 * @param requestParseTimeout a request whose line and headers are not complete within this is dropped (slowloris)
 * @param noRequestTimeout    an open connection that sends no request for this long is closed
 * @param idleTimeout         a buffered request body that sends nothing for this long has its connection closed (BodyReceiver)
 * @param maxConnections      connections open at once; past it the listener stops accepting (new clients wait in the
 *                            kernel's backlog) until it drops to 90 %
 * @param ioThreads           the listener's IO threads (event loops, as nginx's {@code worker_processes}); a request
 *                            is parsed, and a proxied one forwarded, on the IO thread of its connection
 */
public record HttpLimits(
        long maxRequestBody,
        int maxHeaderBytes,
        int maxHeaders,
        int maxQueryParameters,
        Duration requestParseTimeout,
        Duration noRequestTimeout,
        Duration idleTimeout,
        int maxConnections,
        int ioThreads) {

    public static final long DEFAULT_MAX_REQUEST_BODY = 10L << 20;

    public HttpLimits {
        if (maxRequestBody < 0 || maxHeaderBytes < 1024 || maxHeaders < 1 || maxQueryParameters < 1 || maxConnections < 1
                || ioThreads < 1) {
            throw new IllegalArgumentException("invalid HTTP limits: " + maxRequestBody + "/" + maxHeaderBytes + "/"
                    + maxHeaders + "/" + maxQueryParameters + "/" + maxConnections + "/" + ioThreads);
        }
        positive("requestParseTimeout", requestParseTimeout);
        positive("noRequestTimeout", noRequestTimeout);
        positive("idleTimeout", idleTimeout);
    }

    /** 64 KiB of headers, 100 header fields, 10 s to send them, 60 s idle, 10 000 connections, max(cores, 2) IO threads. */
    public static HttpLimits defaults() {
        return withMaxRequestBody(DEFAULT_MAX_REQUEST_BODY);
    }

    /** The defaults with another body limit. */
    public static HttpLimits withMaxRequestBody(long maxRequestBody) {
        return new HttpLimits(maxRequestBody, 64 * 1024, 100, 1000, Duration.ofSeconds(10),
                Duration.ofSeconds(60), Duration.ofSeconds(60), 10_000, defaultIoThreads());
    }

    /** Undertow's default: as many event loops as cores, at least two. */
    public static int defaultIoThreads() {
        return Math.max(Runtime.getRuntime().availableProcessors(), 2);
    }

    public HttpLimits withTimeouts(Duration parse, Duration noRequest, Duration idle) {
        return new HttpLimits(maxRequestBody, maxHeaderBytes, maxHeaders, maxQueryParameters, parse,
                noRequest, idle, maxConnections, ioThreads);
    }

    public HttpLimits withMaxConnections(int connections) {
        return new HttpLimits(maxRequestBody, maxHeaderBytes, maxHeaders, maxQueryParameters, requestParseTimeout, noRequestTimeout, idleTimeout, connections, ioThreads);
    }

    public HttpLimits withIoThreads(int threads) {
        return new HttpLimits(maxRequestBody, maxHeaderBytes, maxHeaders, maxQueryParameters, requestParseTimeout,
                noRequestTimeout, idleTimeout, maxConnections, threads);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }
}
