package dev.edge.routes;

import io.undertow.client.ClientExchange;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.AttachmentKey;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.xnio.OptionMap;
import org.xnio.Xnio;

/**
 * edge's reverse proxy, for every kind of proxying ({@code --proxy} routes, kv routes). Undertow's non-blocking
 * {@link ProxyHandler} streams each exchange to the upstream: bodies flow both ways through a small buffer,
 * never whole, and no thread waits on a slow client or upstream. Connections to each upstream are pooled
 * keep-alive HTTP/1.1 ({@link LoadBalancingProxyClient}). The header rules are {@link ProxyHeaders}', applied
 * by {@link RuledProxyClient} as the request leaves and as the response is committed. Unreachable upstream or a
 * transport failure before the upstream answered: 502; no response within the timeout: 504. Thread-safe.
 */
public final class StreamingProxy implements AutoCloseable {
    /** Distinct upstreams kept (one connection pool each); kv values name few, this only bounds junk. */
    private static final int MAX_UPSTREAMS = 1024;
    private static final int CONNECTIONS_PER_IO_THREAD = 512;
    private static final int IDLE_CONNECTIONS_PER_IO_THREAD = 64;
    private static final int IDLE_CONNECTION_TTL_MILLIS = 60_000;
    private static final int MAX_QUEUED_REQUESTS = 1_000;
    /** The upstream's exchange once the request was sent: its response decides whether a failure is 502. */
    static final AttachmentKey<ClientExchange> UPSTREAM = AttachmentKey.create(ClientExchange.class);

    private final ProxyHeaders rules;
    private final int timeoutMillis;
    private final Map<URI, Upstream> upstreams = new ConcurrentHashMap<>();
    private volatile UndertowXnioSsl ssl;

    private record Upstream(LoadBalancingProxyClient client, ProxyHandler handler) {}

    public StreamingProxy(ProxyHeaders rules, Duration timeout) {
        this.rules = rules;
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    /**
     * Streams {@code exchange} to {@code upstream} + {@code pathInfo} + the request's query. {@code head} is the
     * request as the stages saw it (the header rules start from its headers and client address).
     */
    public void forward(HttpServerExchange exchange, URI upstream, String pathInfo, IngressRequest head) throws Exception {
        URI base = base(upstream);
        Upstream target = upstreams.get(base);
        if (target == null) {
            if (upstreams.size() >= MAX_UPSTREAMS) {
                close();
            }
            target = upstreams.computeIfAbsent(base, this::open);
        }
        String path = head.target().path();
        // ProxyHandler sends the target's base path + the request URI after the resolved path: the path info.
        exchange.setResolvedPath(path.substring(0, path.length() - pathInfo.length()));
        exchange.putAttachment(RuledProxyClient.HEAD, head);
        exchange.addResponseCommitListener(ex -> RuledProxyClient.replace(ex.getResponseHeaders(),
                rules.toClient(ex.getStatusCode(), RuledProxyClient.entries(ex.getResponseHeaders()))));
        exchange.addDefaultResponseListener(StreamingProxy::transportFailureIs502);
        target.handler().handleRequest(exchange);
    }

    /** ProxyHandler answers its own failures with 500 or 503; an upstream's own status is never changed. */
    private static boolean transportFailureIs502(HttpServerExchange exchange) {
        ClientExchange upstream = exchange.getAttachment(UPSTREAM);
        boolean upstreamAnswered = upstream != null && upstream.getResponse() != null;
        if (!upstreamAnswered && (exchange.getStatusCode() == 500 || exchange.getStatusCode() == 503)) {
            exchange.setStatusCode(502);
        }
        return false;
    }

    private Upstream open(URI base) {
        LoadBalancingProxyClient client = new LoadBalancingProxyClient()
                .setConnectionsPerThread(CONNECTIONS_PER_IO_THREAD)
                .setSoftMaxConnectionsPerThread(IDLE_CONNECTIONS_PER_IO_THREAD)
                .setTtl(IDLE_CONNECTION_TTL_MILLIS)
                .setMaxQueueSize(MAX_QUEUED_REQUESTS);
        if (base.getScheme().equalsIgnoreCase("https")) {
            client.addHost(base, ssl());
        } else {
            client.addHost(base);
        }
        ProxyHandler handler = ProxyHandler.builder()
                .setProxyClient(new RuledProxyClient(client, rules, base))
                .setMaxRequestTime(timeoutMillis)
                .setMaxConnectionRetries(0)
                .setNext(new ResponseCodeHandler(502))
                .build();
        return new Upstream(client, handler);
    }

    private UndertowXnioSsl ssl() {
        UndertowXnioSsl current = ssl;
        if (current == null) {
            try {
                current = new UndertowXnioSsl(Xnio.getInstance(), OptionMap.EMPTY, SSLContext.getDefault());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("no default TLS context", e);
            }
            ssl = current;
        }
        return current;
    }

    /** {@code scheme://authority/base} with no trailing '/' (the root is "/"): the path info is appended to it. */
    static URI base(URI upstream) {
        String path = upstream.getRawPath() == null ? "" : upstream.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(upstream.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + upstream.getRawAuthority()
                + (path.isEmpty() ? "/" : path));
    }

    /** Closes every pooled upstream connection. */
    @Override
    public void close() {
        for (URI base : upstreams.keySet()) {
            Upstream upstream = upstreams.remove(base);
            if (upstream != null) {
                try {
                    upstream.client().closeCurrentConnections();
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // The connections live on the listener's IO threads: stopped with it, they are closed already.
                }
            }
        }
    }
}
