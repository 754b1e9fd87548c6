package dev.edge.routes;

import dev.edge.config.UpstreamPoolConfig;
import io.undertow.UndertowOptions;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.OptionMap;
import org.xnio.Xnio;

/**
 * edge's reverse proxy, for every kind of proxying ({@code --proxy} routes, kv routes), with two engines. A request
 * without a body, Upgrade or Expect, from an HTTP/1.x client, to a pool whose targets are all http (most proxied
 * traffic) goes through {@link UpstreamLane}, edge's own HTTP/1.1 client engine: it costs a fraction of Undertow's
 * proxy client per request (docs/benchmarks.md, "lane"). Everything else (request bodies, WebSocket upgrades,
 * 100-continue, https targets, HTTP/2 clients) goes through Undertow's non-blocking {@link ProxyHandler}. Both
 * stream: bodies flow through a small buffer, never whole, and no thread waits on a slow client or upstream; both
 * take their decisions (target, retries, health, meters, the answer's status) from {@link UpstreamPool}. An upstream is a URL or a named pool
 * ({@code upstream:<name>}, {@code [upstream.<name>]}); {@link UpstreamPool} picks the target, keeps pooled
 * keep-alive HTTP/1.1 connections to each, and applies the header rules of {@link ProxyHeaders} as the request
 * leaves; the response's are applied as it is committed. Retries follow the pool's {@code retries} (UpstreamPool).
 * Unreachable upstream or a transport failure before the upstream answered: 502; a pool with no healthy target:
 * 503, as does a pool whose circuit breaker is open; no response head within the pool's {@code request_timeout} or the
 * last try's timeout: 504. Thread-safe.
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

    /** {@link ProxyHeaders#HOP_BY_HOP} as Undertow's names, their hashes computed once. */
    private static final List<HttpString> HOP_BY_HOP = ProxyHeaders.HOP_BY_HOP.stream().map(HttpString::tryFromString).toList();

    private final ProxyHeaders rules;
    private final Duration timeout;
    private final MeterRegistry registry;
    private final Map<String, UpstreamPoolConfig> poolConfigs;
    private final Map<String, Upstream> pools = new LinkedHashMap<>();
    private final Map<URI, Upstream> urls = new ConcurrentHashMap<>();
    /** Each upstream URL as routes and kv values give it, to its base's: {@link #base} parses, so once per URL. */
    private final Map<URI, Upstream> resolved = new ConcurrentHashMap<>();
    private volatile UndertowXnioSsl ssl;
    private ScheduledExecutorService healthChecker;

    /** A pool and its two engines: the lane (null unless every target is http) and Undertow's ProxyHandler. */
    private record Upstream(String name, UpstreamPool pool, UpstreamLane lane, ProxyHandler handler) {}

    /** URLs only, no pools. */
    public StreamingProxy(ProxyHeaders rules, Duration timeout) {
        this(rules, timeout, Map.of());
    }

    /** Unmetered. */
    public StreamingProxy(ProxyHeaders rules, Duration timeout, Map<String, UpstreamPoolConfig> pools) {
        this(rules, timeout, pools, new CompositeMeterRegistry());
    }

    /**
     * @param timeout  for URL upstreams; a pool has its own {@code request_timeout}
     * @param registry where the per-upstream and per-target meters go ({@link UpstreamMetrics})
     */
    public StreamingProxy(ProxyHeaders rules, Duration timeout, Map<String, UpstreamPoolConfig> pools,
                          MeterRegistry registry) {
        this.rules = rules;
        this.timeout = timeout;
        this.registry = registry;
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
        if (!target.pool().admit(exchange)) {
            exchange.setStatusCode(503); // the pool's circuit breaker is open
            exchange.endExchange();
            return;
        }
        String path = head.target().path();
        // ProxyHandler sends the target's base path + the request URI after the resolved path: the path info.
        exchange.setResolvedPath(path.substring(0, path.length() - pathInfo.length()));
        // The deadline is watched by the pool (UpstreamWatch), not a timer per request.
        long requestTimeout = target.pool().timeouts().request().toNanos();
        UpstreamPool.Tries tries = new UpstreamPool.Tries(System.nanoTime() + requestTimeout, head);
        exchange.putAttachment(UpstreamPool.TRIES, tries);
        exchange.addResponseCommitListener(this::headersToClient);
        exchange.addDefaultResponseListener(StreamingProxy::failedTriesAre502Or504);
        if (target.lane() != null && UpstreamLane.takes(exchange)) {
            target.lane().forward(exchange, tries, head);
        } else {
            target.handler().handleRequest(exchange);
        }
    }

    /** {@link ProxyHeaders#toClient}'s rules on the committed response; in place unless it is a 101 (an upgrade). */
    private void headersToClient(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getResponseHeaders();
        if (exchange.getStatusCode() == 101) {
            UpstreamPool.replace(headers, rules.toClient(101, UpstreamPool.entries(headers)));
            return;
        }
        java.util.Collection<String> connection = headers.remove(Headers.CONNECTION);
        for (HttpString name : HOP_BY_HOP) {
            headers.remove(name);
        }
        if (connection != null) {
            for (String value : connection) {
                ProxyHeaders.removeTokens(value, headers, Set.of());
            }
        }
    }

    /**
     * ProxyHandler answers its own failures with 500 or 503: after a try, that is 504 if the last try timed out,
     * else 502 (nginx's and Envoy's codes). An upstream's own status is never changed.
     */
    private static boolean failedTriesAre502Or504(HttpServerExchange exchange) {
        UpstreamPool.Tries tries = exchange.getAttachment(UpstreamPool.TRIES);
        if (tries != null && tries.started() && !tries.headReceived()
                && (exchange.getStatusCode() == 500 || exchange.getStatusCode() == 503)) {
            exchange.setStatusCode(tries.timedOut() ? 504 : 502);
        }
        return false;
    }

    private Upstream url(URI upstream) {
        Upstream known = resolved.get(upstream);
        if (known != null) {
            return known;
        }
        URI base = base(upstream);
        Upstream target = urls.get(base);
        if (target == null) {
            if (urls.size() >= MAX_URLS) {
                closeUrls();
            }
            UpstreamPoolConfig.Timeouts defaults = UpstreamPoolConfig.Timeouts.DEFAULTS;
            target = urls.computeIfAbsent(base, b -> open(UpstreamPoolConfig.of(b.toString(), List.of(b)).withTimeouts(
                    new UpstreamPoolConfig.Timeouts(defaults.connect(), timeout, Optional.empty(), defaults.idle()))));
        }
        if (resolved.size() >= MAX_URLS) {
            resolved.clear(); // bounds junk; each entry is found again through urls
        }
        resolved.put(upstream, target);
        if (urls.get(base) != target) {
            resolved.remove(upstream, target); // closed meanwhile (closeUrls empties urls, then resolved)
        }
        return target;
    }

    private Upstream open(UpstreamPoolConfig config) {
        SSLContext tls = UpstreamTls.context(config.caFile());
        boolean https = config.targets().stream().anyMatch(t -> t.getScheme().equalsIgnoreCase("https"));
        UndertowXnioSsl ssl = !https ? null : config.caFile().isEmpty() ? defaultSsl() : xnioSsl(tls);
        UpstreamPool pool = new UpstreamPool(config, rules, base -> client(base, ssl), tls, this::healthChecker,
                new UpstreamMetrics(registry, config.name()));
        ProxyHandler handler = ProxyHandler.builder()
                .setProxyClient(pool)
                // UpstreamPool keeps the deadlines (ProxyHandler's would cut a body that is streaming) and decides
                // which failed try is tried again: ProxyHandler asks it for the next target after each.
                .setMaxRequestTime(-1)
                .setMaxConnectionRetries(Integer.MAX_VALUE)
                .setIdempotentRequestPredicate(pool::mayResendMethod)
                .setNext(exchange -> { // no healthy target
                    pool.noTarget();
                    exchange.setStatusCode(503);
                    exchange.endExchange();
                })
                .build();
        return new Upstream(config.name(), pool, pool.allHttp() ? new UpstreamLane(pool, rules) : null, handler);
    }

    /** One thread for every pool's active health checks, made when the first pool has checks. */
    private synchronized ScheduledExecutorService healthChecker() {
        if (healthChecker == null) {
            healthChecker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "edge-upstream-health");
                thread.setDaemon(true);
                return thread;
            });
        }
        return healthChecker;
    }

    /** One target's connection pool; {@code ssl} for an https target. */
    private static LoadBalancingProxyClient client(URI base, UndertowXnioSsl ssl) {
        LoadBalancingProxyClient client = new TargetClient()
                .setConnectionsPerThread(CONNECTIONS_PER_IO_THREAD)
                .setSoftMaxConnectionsPerThread(IDLE_CONNECTIONS_PER_IO_THREAD)
                .setTtl(IDLE_CONNECTION_TTL_MILLIS)
                .setMaxQueueSize(MAX_QUEUED_REQUESTS)
                .setProblemServerRetry(1); // ejection is UpstreamPool's; a URL is tried again after 1 s
        // Undertow's client checks the certificate's names against the host (endpoint identification "HTTPS").
        // Byte counts per connection: UpstreamPool's idle_timeout watch tells an upstream that sends nothing by them.
        OptionMap counted = OptionMap.create(UndertowOptions.ENABLE_STATISTICS, true);
        return client.addHost(base, null, base.getScheme().equals("https") ? ssl : null, counted);
    }

    /** One target's connections. Undertow skips a host this exchange tried before; a retry may go to it again. */
    private static final class TargetClient extends LoadBalancingProxyClient {
        private volatile Host host;

        @Override
        protected Host selectHost(HttpServerExchange exchange) {
            Host selected = super.selectHost(exchange);
            if (selected == null) {
                return host; // tried before by this exchange: the only host there is
            }
            if (host != selected) {
                host = selected; // a volatile write per request would fence the IO thread for nothing
            }
            return selected;
        }
    }

    /** The JDK's trust store's, shared by every pool without a CA file. */
    private UndertowXnioSsl defaultSsl() {
        UndertowXnioSsl current = ssl;
        if (current == null) {
            current = xnioSsl(UpstreamTls.context(Optional.empty()));
            ssl = current;
        }
        return current;
    }

    private static UndertowXnioSsl xnioSsl(SSLContext context) {
        return new UndertowXnioSsl(Xnio.getInstance(), OptionMap.EMPTY, context);
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

    /** Stops the health checks and closes every pooled upstream connection. */
    @Override
    public void close() {
        closeUrls();
        pools.values().forEach(StreamingProxy::closeConnections);
        synchronized (this) {
            if (healthChecker != null) {
                healthChecker.shutdownNow();
            }
        }
    }

    private void closeUrls() {
        for (URI base : urls.keySet()) {
            Upstream upstream = urls.remove(base);
            if (upstream != null) {
                closeConnections(upstream);
            }
        }
        resolved.clear();
    }

    private static void closeConnections(Upstream upstream) {
        try {
            upstream.pool().close();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The connections live on the listener's IO threads: stopped with it, they are closed already.
        }
    }
}
