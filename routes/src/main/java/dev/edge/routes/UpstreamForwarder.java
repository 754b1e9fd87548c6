package dev.edge.routes;

import dev.edge.wasm.GuestResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards one request to an upstream base URL, as a reverse proxy: shared by {@link ProxyStage} and
 * {@link KvRouteStage}. Header rules are {@link ProxyHeaders}'. Unreachable upstream: 502; upstream timeout: 504; upstream body larger than the response
 * limit: 502. Thread-safe.
 */
public final class UpstreamForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamForwarder.class);
    /** Headers java.net.http sets itself (the framing and the upstream's Host); the RFC rules are {@link ProxyHeaders}'. */
    private static final Set<String> SET_BY_CLIENT = Set.of("host", "content-length", "expect", "http2-settings");

    private final long maxResponseBody;
    private final Duration timeout;
    private final ProxyHeaders headerRules;
    private final HttpClient client;

    /** Believes no peer's forwarding headers. */
    public UpstreamForwarder(long maxResponseBody, Duration timeout) {
        this(maxResponseBody, timeout, ProxyHeaders.untrusting());
    }

    public UpstreamForwarder(long maxResponseBody, Duration timeout, ProxyHeaders headerRules) {
        this.maxResponseBody = maxResponseBody;
        this.timeout = timeout;
        this.headerRules = headerRules;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Sends {@code request} to {@code upstream} + {@code pathInfo} + the request's query; transport failures become 502/504. */
    public GuestResponse forward(URI upstream, String pathInfo, IngressRequest request) {
        URI uri = upstreamUri(upstream, pathInfo, request.target().query());
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(request.method(), request.body().length == 0
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        for (Map.Entry<String, String> header : headerRules.toUpstream(request.headers(), request.target())) {
            if (!SET_BY_CLIENT.contains(header.getKey())) {
                builder.header(header.getKey(), header.getValue());
            }
        }
        try {
            HttpResponse<InputStream> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxResponseBody + 1));
            }
            if (body.length > maxResponseBody) {
                LOG.warn("Proxy {}: upstream response larger than {} bytes", uri, maxResponseBody);
                return GuestResponse.empty(502);
            }
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            response.headers().map().forEach((name, values) -> {
                if (!name.startsWith(":")) {
                    values.forEach(v -> headers.add(Map.entry(name, v)));
                }
            });
            return new GuestResponse(response.statusCode(), headerRules.toClient(headers), body);
        } catch (HttpConnectTimeoutException e) {
            LOG.warn("Proxy {}: connect timeout", uri);
            return GuestResponse.empty(502);
        } catch (HttpTimeoutException e) {
            LOG.warn("Proxy {}: upstream timed out", uri);
            return GuestResponse.empty(504);
        } catch (IOException e) {
            LOG.warn("Proxy {}: {}", uri, e.toString());
            return GuestResponse.empty(502);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return GuestResponse.empty(502);
        }
    }

    static URI upstreamUri(URI upstream, String pathInfo, String query) {
        String base = upstream.toString();
        int queryStart = base.indexOf('?');
        if (queryStart >= 0) {
            base = base.substring(0, queryStart);
        }
        if (base.endsWith("/") && pathInfo.startsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        String path = base + pathInfo;
        if (upstream.getRawPath() == null || upstream.getRawPath().isEmpty()) {
            path = pathInfo.isEmpty() ? base + "/" : path;
        }
        return URI.create(query.isEmpty() ? path : path + "?" + query);
    }
}
