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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards one request to an upstream base URL, as a reverse proxy: shared by {@link ProxyStage} and
 * {@link KvRouteStage}. Hop-by-hop headers are dropped both ways, {@code x-forwarded-for/-host/-proto}
 * are added. Unreachable upstream: 502; upstream timeout: 504; upstream body larger than the response
 * limit: 502. Thread-safe.
 */
public final class UpstreamForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamForwarder.class);
    /** Hop-by-hop headers plus those java.net.http sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect", "http2-settings");

    private final long maxResponseBody;
    private final Duration timeout;
    private final HttpClient client;

    public UpstreamForwarder(long maxResponseBody, Duration timeout) {
        this.maxResponseBody = maxResponseBody;
        this.timeout = timeout;
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
        String forwardedFor = null;
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey();
            if (name.equals("x-forwarded-for")) {
                forwardedFor = header.getValue();
            } else if (!NOT_FORWARDED.contains(name)) {
                builder.header(name, header.getValue());
            }
        }
        String clientIp = ip(request.target().clientAddr());
        builder.header("x-forwarded-for", forwardedFor == null ? clientIp : forwardedFor + ", " + clientIp);
        builder.header("x-forwarded-host", request.target().host());
        builder.header("x-forwarded-proto", request.target().scheme());
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
                String lower = name.toLowerCase(Locale.ROOT);
                if (!NOT_FORWARDED.contains(lower) && !lower.startsWith(":")) {
                    values.forEach(v -> headers.add(Map.entry(lower, v)));
                }
            });
            return new GuestResponse(response.statusCode(), headers, body);
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

    private static String ip(String clientAddr) {
        int colon = clientAddr.lastIndexOf(':');
        String ip = colon > 0 ? clientAddr.substring(0, colon) : clientAddr;
        return ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
    }}
