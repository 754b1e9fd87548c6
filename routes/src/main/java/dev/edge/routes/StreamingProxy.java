package dev.edge.routes;

import dev.edge.config.UpstreamPoolConfig;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.OptionMap;
import org.xnio.Xnio;

/**
 * edge's reverse proxy, for every kind of proxying ({@code --proxy} routes, kv routes). Undertow's non-blocking
 * {@link ProxyHandler} streams each exchange to the upstream: bodies flow both ways through a small buffer,
 * never whole, and no thread waits on a slow client or upstream. An upstream is a URL or a named pool
 * ({@code upstream:<name>}, {@code [upstream.<name>]}); {@link UpstreamPool} picks the target, keeps pooled
 * keep-alive HTTP/1.1 connections to each, and applies the header rules of {@link ProxyHeaders} as the request
 * leaves; the response's are applied as it is committed. Only a connection that could not be made is retried,
 * on another target of the pool: nothing was sent. Unreachable upstream or a transport failure before the upstream
 * answered: 502; a pool with no healthy target: 503; no response within the timeout: 504. Thread-safe.
 */
public final class StreamingProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingProxy.class);
    /** The scheme of a pool reference, {@code upstream:<name>}. */
    public static final String POOL_SCHEME = "upstream";
    /** Distinct URLs kept (one connection pool each); kv values name few, this only bounds junk. */
    private static final int MAX_URLS = 1024;
    private static final int CONNECTIONS_PER_IO_THREAD = 512;
    private static final int IDLE_CONNECTIONS_PER_IO_THREAD = 64;
    private static final int IDLE_CONNECTION_TTL_MILLIS = 60_000;
    private static final int MAX_QUEUED_REQUESTS = 1_000;

    private final ProxyHeaders rules;
    private final Duration timeout;
    private final Map<String, UpstreamPoolConfig> poolConfigs;
    private final Map<String, Upstream> pools = new LinkedHashMap<>();
    private final Map<URI, Upstream> urls = new ConcurrentHashMap<>();
    private volatile UndertowXnioSsl ssl;

    private record Upstream(UpstreamPool pool, ProxyHandler handler) {}

    /** URLs only, no pools. */
    public StreamingProxy(ProxyHeaders rules, Duration timeout) {
        this(rules, timeout, Map.of());
    }

    /** @param timeout for URL upstreams; a pool has its own {@code request_timeout} */
    public StreamingProxy(ProxyHeaders rules, Duration timeout, Map<String, UpstreamPoolConfig> pools) {
        this.rules = rules;
        this.timeout = timeout;
        this.poolConfigs = Map.copyOf(pools);
        pools.forEach((name, config) -> this.pools.put(name, open(config)));
    }

    /** {@code upstream:<name>}. */
    public static URI poolReference(String name) {
        return URI.create(POOL_SCHEME + ":" + name);
    }

    /** The pool name of an {@code upstream:<name>} reference, or empty for a URL. */
    public static Optional<String> poolName(URI upstream) {
        return POOL_SCHEME.equals(upstream.getScheme()) ? Optional.of(upstream.getSchemeSpecificPart()) : Optional.empty();
    }

    /** The configured pool {@code name}, if there is one. */
    public Optional<UpstreamPoolConfig> pool(String name) {
        return Optional.ofNullable(poolConfigs.get(name));
    }

    /**
     * Streams {@code exchange} to {@code upstream} (a URL or a pool reference) + {@code pathInfo} + the query.
     * {@code head} is the request as the stages saw it (the header rules start from its headers and address).
     */
    public void forward(HttpServerExchange exchange, URI upstream, String pathInfo, IngressRequest head) throws Exception {
        Optional<String> poolName = poolName(upstream);
        exchange.putAttachment(ObservedRequests.UPSTREAM, upstream.toString());
        Upstream target = poolName.isPresent() ? pools.get(poolName.get()) : url(upstream);
        if (target == null) {
            LOG.warn("No upstream pool '{}'", poolName.orElse(""));
            exchange.setStatusCode(502);
            exchange.endExchange();
            return;
        }
        String path = head.target().path();
        // ProxyHandler sends the target's base path + the request URI after the resolved path: the path info.
        exchange.setResolvedPath(path.substring(0, path.length() - pathInfo.length()));
        exchange.putAttachment(UpstreamPool.HEAD, head);
        exchange.addResponseCommitListener(ex -> UpstreamPool.replace(ex.getResponseHeaders(),
                rules.toClient(ex.getStatusCode(), UpstreamPool.entries(ex.getResponseHeaders()))));
        exchange.addDefaultResponseListener(StreamingProxy::transportFailureIs502);
        target.handler().handleRequest(exchange);
    }

    /** ProxyHandler answers its own failures with 500 or 503; an upstream's own status is never changed. */
    private static boolean transportFailureIs502(HttpServerExchange exchange) {
        if (exchange.getAttachment(UpstreamPool.TRIED) != null
                && (exchange.getStatusCode() == 500 || exchange.getStatusCode() == 503)) {
            exchange.setStatusCode(502);
        }
        return false;
    }

    private Upstream url(URI upstream) {
        URI base = base(upstream);
        Upstream target = urls.get(base);
        if (target == null) {
            if (urls.size() >= MAX_URLS) {
                closeUrls();
            }
            target = urls.computeIfAbsent(base, b -> open(new UpstreamPoolConfig(b.toString(), List.of(b),
                    UpstreamPoolConfig.Balance.ROUND_ROBIN, Optional.empty(), timeout, UpstreamPoolConfig.DEFAULT_EJECT_FOR)));
        }
        return target;
    }

    private Upstream open(UpstreamPoolConfig config) {
        UpstreamPool pool = new UpstreamPool(config, rules, this::client);
        ProxyHandler handler = ProxyHandler.builder()
                .setProxyClient(pool)
                .setMaxRequestTime((int) Math.min(Integer.MAX_VALUE, config.requestTimeout().toMillis()))
                .setMaxConnectionRetries(0) // UpstreamPool tries the pool's other targets itself
                .setNext(exchange -> { // no healthy target
                    exchange.setStatusCode(503);
                    exchange.endExchange();
                })
                .build();
        return new Upstream(pool, handler);
    }

    /** One target's connection pool. */
    private LoadBalancingProxyClient client(URI base) {
        LoadBalancingProxyClient client = new LoadBalancingProxyClient()
                .setConnectionsPerThread(CONNECTIONS_PER_IO_THREAD)
                .setSoftMaxConnectionsPerThread(IDLE_CONNECTIONS_PER_IO_THREAD)
                .setTtl(IDLE_CONNECTION_TTL_MILLIS)
                .setMaxQueueSize(MAX_QUEUED_REQUESTS)
                .setProblemServerRetry(1); // ejection is UpstreamPool's; a URL is tried again after 1 s
        return base.getScheme().equals("https") ? client.addHost(base, ssl()) : client.addHost(base);
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
        return URI.create(upstream.getScheme().toLowerCase(Locale.ROOT) + "://" + upstream.getRawAuthority()
                + (path.isEmpty() ? "/" : path));
    }

    /** Closes every pooled upstream connection. */
    @Override
    public void close() {
        closeUrls();
        pools.values().forEach(StreamingProxy::closeConnections);
    }

    private void closeUrls() {
        for (URI base : urls.keySet()) {
            Upstream upstream = urls.remove(base);
            if (upstream != null) {
                closeConnections(upstream);
            }
        }
    }

    private static void closeConnections(Upstream upstream) {
        try {
            upstream.pool().closeConnections();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The connections live on the listener's IO threads: stopped with it, they are closed already.
        }
    }
}
