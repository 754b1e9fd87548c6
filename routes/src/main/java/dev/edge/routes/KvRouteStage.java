package dev.edge.routes;

import dev.edge.config.KeyTemplate;
import dev.edge.config.KvRouteConfig;
import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.StoreLimits;
import dev.edge.wasm.GuestResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KV-aware routing ({@code [[kv_route]]}): the request's best-matching kv route (Spin precedence among kv
 * routes) names a key; its value in the application's store says where the request goes (see
 * {@link KvRouteValue}). Reads go through {@link KeyValueFactor#openStore} (the application's limits, the
 * backend's near-cache), so a lookup on a warm Redis tier costs microseconds and one write re-routes every
 * node. Key absent: {@code default_upstream}, else pass on. Store failure: {@code default_upstream}, else 503.
 */
public final class KvRouteStage implements IngressStage {
    public static final String NAME = "kv-route";
    private static final Logger LOG = LoggerFactory.getLogger(KvRouteStage.class);
    /** Parsed values remembered per route; routing values are few, so this only guards against junk keys. */
    private static final int MAX_CACHED_VALUES = 1024;
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private static final class Route {
        final RoutePattern pattern;
        final KvRouteConfig config;
        final KeyValueStore store;
        final KvRouteMetrics metrics;
        final Map<String, KvRouteValue> decided = new ConcurrentHashMap<>();
        final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

        Route(KvRouteConfig config, KeyValueStore store, MeterRegistry registry) {
            this.pattern = RoutePattern.parse(config.route());
            this.config = config;
            this.store = store;
            this.metrics = new KvRouteMetrics(registry, config.route());
        }
    }

    private final List<Route> routes;
    private final StreamingProxy proxy;
    private final java.util.function.Function<String, Optional<List<URI>>> pools;
    private final StoreLimits limits;

    /**
     * @param keyValues the application's stores; every route's {@code store} label must be one of them
     * @param registry  where the meters go; null for none
     */
    public KvRouteStage(List<KvRouteConfig> configs, KeyValueFactor keyValues, StreamingProxy proxy,
                        MeterRegistry registry) {
        MeterRegistry meters = registry != null ? registry : new SimpleMeterRegistry();
        List<Route> sorted = new ArrayList<>();
        for (KvRouteConfig config : configs) {
            sorted.add(new Route(config, keyValues.openStore(config.store()), meters));
        }
        sorted.sort(Comparator.comparing(r -> r.pattern, RoutePattern::compareSpecificity));
        this.routes = List.copyOf(sorted);
        this.proxy = proxy;
        this.pools = name -> proxy.pool(name).map(dev.edge.config.UpstreamPoolConfig::targets);
        this.limits = keyValues.limits();
    }

    @Override
    public String name() { return NAME; }

    @Override
    public Decision decide(IngressRequest request) {
        for (Route route : routes) {
            RoutePattern.PathMatch match = route.pattern.match(request.target().path());
            if (match != null) {
                // Only the best match is consulted: a less specific kv route never sees this request.
                return route(route, match, request);
            }
        }
        return PASS;
    }

    @Override
    public void close() {
        proxy.close();
    }

    private Decision route(Route route, RoutePattern.PathMatch match, IngressRequest request) {
        String key = renderKey(route.config.key(), match, request);
        if (key == null || !fitsKeyLimit(key)) {
            // A header the key needs is missing, or the key is longer than any key the store can hold.
            return absent(route, match, request);
        }
        long start = System.nanoTime();
        Optional<byte[]> value;
        try {
            value = route.store.get(key);
        } catch (RuntimeException e) {
            route.metrics.lookup(KvRouteMetrics.Outcome.ERROR, System.nanoTime() - start);
            return storeFailed(route, match, request, e);
        }
        if (value.isEmpty()) {
            route.metrics.lookup(KvRouteMetrics.Outcome.ABSENT, System.nanoTime() - start);
            return absent(route, match, request);
        }
        route.metrics.lookup(KvRouteMetrics.Outcome.HIT, System.nanoTime() - start);
        return act(route, decide(route, value.get()), match, request, key);
    }

    private Decision act(Route route, KvRouteValue decision, RoutePattern.PathMatch match,
                         IngressRequest request, String key) {
        if (decision instanceof KvRouteValue.Proxy upstream) {
            route.metrics.decision(KvRouteMetrics.Action.UPSTREAM);
            return new Forward(proxy, upstream.upstream(), match.pathInfo());
        }
        if (decision instanceof KvRouteValue.Redirect redirect) {
            route.metrics.decision(KvRouteMetrics.Action.REDIRECT);
            return new Answer(new GuestResponse(redirect.status(), List.of(Map.entry("location", redirect.location())),
                    new byte[0]));
        }
        if (decision instanceof KvRouteValue.Deny) {
            route.metrics.decision(KvRouteMetrics.Action.DENY);
            return new Answer(GuestResponse.empty(403));
        }
        if (decision instanceof KvRouteValue.Pass) {
            route.metrics.decision(KvRouteMetrics.Action.PASS);
            return PASS;
        }
        KvRouteValue.Refused refused = (KvRouteValue.Refused) decision;
        route.metrics.decision(KvRouteMetrics.Action.REFUSED);
        logThrottled(route, "kv_route '{}': refusing the value of key '{}': {}", route.config.route(), shorten(key),
                refused.reason());
        return new Answer(GuestResponse.empty(502));
    }

    private Decision absent(Route route, RoutePattern.PathMatch match, IngressRequest request) {
        Optional<URI> fallback = route.config.defaultUpstream();
        if (fallback.isEmpty()) {
            route.metrics.decision(KvRouteMetrics.Action.PASS);
            return PASS;
        }
        route.metrics.decision(KvRouteMetrics.Action.DEFAULT);
        return new Forward(proxy, fallback.get(), match.pathInfo());
    }

    private Decision storeFailed(Route route, RoutePattern.PathMatch match, IngressRequest request,
                                                RuntimeException error) {
        Optional<URI> fallback = route.config.defaultUpstream();
        logThrottled(route, "kv_route '{}': store '{}' failed ({}); {}", route.config.route(), route.config.store(),
                error.getMessage(), fallback.isPresent() ? "using default_upstream" : "answering 503");
        if (fallback.isEmpty()) {
            route.metrics.decision(KvRouteMetrics.Action.UNAVAILABLE);
            return new Answer(GuestResponse.empty(503));
        }
        route.metrics.decision(KvRouteMetrics.Action.FALLBACK);
        return new Forward(proxy, fallback.get(), match.pathInfo());
    }

    private KvRouteValue decide(Route route, byte[] value) {
        String cacheKey = new String(value, java.nio.charset.StandardCharsets.ISO_8859_1); // lossless, any bytes
        KvRouteValue decision = route.decided.get(cacheKey);
        if (decision == null) {
            decision = KvRouteValue.parse(value, route.config, pools);
            if (value.length <= KvRouteValue.MAX_VALUE_BYTES) {
                if (route.decided.size() >= MAX_CACHED_VALUES) {
                    route.decided.clear();
                }
                route.decided.put(cacheKey, decision);
            }
        }
        return decision;
    }

    private boolean fitsKeyLimit(String key) {
        try {
            limits.checkKey(key);
            return true;
        } catch (KvException e) {
            return false;
        }
    }

    /** The key for this request, or null when a header it names is absent (treated as an absent key). */
    static String renderKey(KeyTemplate template, RoutePattern.PathMatch match, IngressRequest request) {
        StringBuilder key = new StringBuilder(64);
        for (KeyTemplate.Part part : template.parts()) {
            switch (part.kind()) {
                case LITERAL -> key.append(part.text());
                case HOST -> key.append(hostWithoutPort(request.target().host()));
                case PATH -> key.append(request.target().path());
                case PATH_INFO -> key.append(match.pathInfo());
                case METHOD -> key.append(request.method());
                case PARAM -> key.append(match.params().getOrDefault(part.text(), ""));
                case HEADER -> {
                    String value = firstHeader(request, part.text());
                    if (value == null) {
                        return null;
                    }
                    key.append(value);
                }
            }
        }
        return key.toString();
    }

    static String hostWithoutPort(String host) {
        if (host == null) {
            return "";
        }
        String lower = host.toLowerCase(Locale.ROOT);
        int colon = lower.lastIndexOf(':');
        if (colon >= 0 && colon > lower.lastIndexOf(']')) {
            lower = lower.substring(0, colon);
        }
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static String firstHeader(IngressRequest request, String name) {
        for (Map.Entry<String, String> header : request.headers()) {
            if (header.getKey().equals(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** One line per route per interval: a broken store must not flood the log at request rate. */
    private static void logThrottled(Route route, String format, Object... args) {
        long now = System.nanoTime();
        long next = route.nextLogNanos.get();
        if (now - next >= 0 && route.nextLogNanos.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
            LOG.warn(format, args);
        }
    }

    private static String shorten(String key) {
        String clean = key.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() <= 100 ? clean : clean.substring(0, 100) + "...";
    }
}
