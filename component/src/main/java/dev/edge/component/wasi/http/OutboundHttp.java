package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * A component's {@code wasi:http/outgoing-handler} state: its {@link OutboundPolicy}, the HTTP client, the
 * app's own origin for relative ({@code self}) requests, and the limit on a request body. As in Spin: a
 * request with no scheme is https; no authority (or {@code self.alt}) is a request to the app itself; a host
 * not allowed is {@code HTTP-request-denied} before anything is sent; the {@code host} header is dropped
 * (the client sets it from the URL); redirects are not followed.
 */
public final class OutboundHttp {
    /** Headers {@link HttpClient} sets itself and refuses from callers. */
    private static final Set<String> CLIENT_MANAGED = Set.of("host", "content-length", "expect", "connection",
            "upgrade");

    private final OutboundPolicy policy;
    private final HttpClient client;
    private final URI selfOrigin;
    private final long maxRequestBody;

    /**
     * @param selfOrigin     e.g. {@code http://127.0.0.1:3000}, or null when the app's address is unknown
     * @param maxRequestBody largest body a guest may send
     */
    public OutboundHttp(OutboundPolicy policy, HttpClient client, URI selfOrigin, long maxRequestBody) {
        this.policy = policy;
        this.client = client;
        this.selfOrigin = selfOrigin;
        this.maxRequestBody = maxRequestBody;
    }

    /** HTTP/1.1, no redirects: what Spin's outbound client does. */
    public static HttpClient defaultClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(30)).build();
    }

    long maxRequestBody() {
        return maxRequestBody;
    }

    /** {@code handle}: {@code result<future-incoming-response, error-code>}. */
    Variant handle(OutgoingRequest request, RequestOptions options) {
        String scheme = request.schemeOrNull() == null ? "https" : HttpValues.schemeName(request.schemeOrNull());
        String authority = request.authorityOrNull();
        String path = request.pathOrNull() == null ? "/" : request.pathOrNull();
        URI target;
        try {
            if (authority == null || authority.isEmpty() || hostOf(authority).equals("self.alt")) {
                if (!policy.allowsSelf()) {
                    return Variant.err(HttpValues.errorCode(HttpValues.HTTP_REQUEST_DENIED));
                }
                if (selfOrigin == null) {
                    return Variant.err(HttpValues.errorCode(HttpValues.HTTP_REQUEST_URI_INVALID));
                }
                target = new URI(selfOrigin + path);
            } else {
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    return Variant.err(HttpValues.errorCode(HttpValues.HTTP_REQUEST_URI_INVALID));
                }
                target = new URI(scheme + "://" + authority + path);
                if (target.getHost() == null) {
                    return Variant.err(HttpValues.errorCode(HttpValues.HTTP_REQUEST_URI_INVALID));
                }
                if (!policy.allows(scheme, target.getHost(), target.getPort())) {
                    return Variant.err(HttpValues.errorCode(HttpValues.HTTP_REQUEST_DENIED));
                }
            }
        } catch (URISyntaxException e) {
            return Variant.err(HttpValues.errorCode(HttpValues.HTTP_REQUEST_URI_INVALID));
        }
        FutureIncomingResponse future = new FutureIncomingResponse();
        URI uri = target;
        request.whenBodyReady(() -> future.start(send(request, options, uri)));
        return Variant.ok(future);
    }

    private java.util.concurrent.CompletableFuture<HttpResponse<InputStream>> send(
            OutgoingRequest request, RequestOptions options, URI uri) {
        OutgoingBody body = request.bodyOrNull();
        byte[] bytes = body == null ? new byte[0] : body.bytes();
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).method(request.methodName(),
                bytes.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
        for (Map.Entry<String, String> h : request.ownHeaders().asStrings()) {
            if (!CLIENT_MANAGED.contains(h.getKey())) {
                builder.header(h.getKey(), h.getValue());
            }
        }
        if (options != null && options.timeouts[1] != null && options.timeouts[1] > 0) {
            builder.timeout(Duration.ofNanos(options.timeouts[1]));
        }
        try {
            return client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IllegalArgumentException e) { // a header the client refuses
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    private static String hostOf(String authority) {
        int at = authority.lastIndexOf(':');
        String host = at > 0 && !authority.endsWith("]") ? authority.substring(0, at) : authority;
        return host.toLowerCase(java.util.Locale.ROOT);
    }

    /** The {@code error-code} for a failed exchange with the upstream. */
    static Variant errorCode(Throwable failure) {
        if (failure instanceof HttpConnectTimeoutException) {
            return HttpValues.errorCode(HttpValues.CONNECTION_TIMEOUT);
        }
        if (failure instanceof HttpTimeoutException) {
            return HttpValues.errorCode(HttpValues.HTTP_RESPONSE_TIMEOUT);
        }
        if (failure instanceof ConnectException) {
            return failure.getCause() instanceof UnknownHostException ? HttpValues.dnsError()
                    : HttpValues.errorCode(HttpValues.CONNECTION_REFUSED);
        }
        if (failure instanceof UnknownHostException) {
            return HttpValues.dnsError();
        }
        if (failure instanceof SSLException) {
            return HttpValues.errorCode(HttpValues.TLS_PROTOCOL_ERROR);
        }
        return HttpValues.internalError(String.valueOf(failure));
    }
}
