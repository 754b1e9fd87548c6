package dev.edge.routes;

import dev.edge.config.UpstreamPoolConfig;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientStatistics;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.xnio.ChannelListener;
import org.xnio.Option;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The targets of one upstream (a pool, or a single URL as a pool of one), as Undertow's
 * {@link io.undertow.server.handlers.proxy.ProxyHandler} sees them: it picks a target per request (round robin,
 * least requests in flight, or a rendezvous hash of a header, cookie or the path), skips a target that refused a
 * connection for {@code eject_for} (a pool of one is never skipped, as in nginx), and sends each request with
 * exactly the headers {@link ProxyHeaders} decides. ProxyHandler adds its own {@code X-Forwarded-*} (and keeps a
 * client's {@code X-Forwarded-Host}); the request it built is rewritten here as it leaves, from the client's
 * original headers. Only the framing is the proxy's, and {@code Host} is the target's.
 */
final class UpstreamPool implements ProxyClient {
    static final AttachmentKey<IngressRequest> HEAD = AttachmentKey.create(IngressRequest.class);
    /** Set once a connection to a target was tried: a 500/503 of ProxyHandler's own is then a 502. */
    static final AttachmentKey<Boolean> TRIED = AttachmentKey.create(Boolean.class);
    private static final Set<String> SET_BY_PROXY = Set.of("host", "content-length", "transfer-encoding");

    private record Target(URI base, String host, LoadBalancingProxyClient client, AtomicInteger inFlight,
                          AtomicLong ejectedUntilNanos) implements ProxyTarget {}

    private final List<Target> targets;
    private final UpstreamPoolConfig.Balance balance;
    private final Function<HttpServerExchange, String> hashKey;
    private final long ejectForNanos;
    private final ProxyHeaders rules;
    private final AtomicInteger next = new AtomicInteger();

    UpstreamPool(UpstreamPoolConfig config, ProxyHeaders rules, Function<URI, LoadBalancingProxyClient> clients) {
        List<Target> list = new ArrayList<>();
        for (URI target : config.targets()) {
            URI base = StreamingProxy.base(target);
            list.add(new Target(base, base.getRawAuthority(), clients.apply(base), new AtomicInteger(), new AtomicLong()));
        }
        this.targets = List.copyOf(list);
        this.balance = config.balance();
        this.hashKey = config.hashOn().map(UpstreamPool::hashKey).orElse(exchange -> null);
        this.ejectForNanos = targets.size() > 1 ? config.ejectFor().toNanos() : 0;
        this.rules = rules;
    }

    int size() {
        return targets.size();
    }

    void closeConnections() {
        targets.forEach(t -> t.client().closeCurrentConnections());
    }

    @Override
    public ProxyTarget findTarget(HttpServerExchange exchange) {
        long now = System.nanoTime();
        List<Target> healthy = new ArrayList<>(targets.size());
        for (Target target : targets) {
            if (target.ejectedUntilNanos().get() - now <= 0) {
                healthy.add(target);
            }
        }
        if (healthy.isEmpty()) {
            return null; // ProxyHandler's next handler answers 503
        }
        String key = balance == UpstreamPoolConfig.Balance.HASH ? hashKey.apply(exchange) : null;
        if (key != null) {
            return rendezvous(healthy, key);
        }
        int start = Math.floorMod(next.getAndIncrement(), healthy.size());
        if (balance != UpstreamPoolConfig.Balance.LEAST_REQUEST) {
            return healthy.get(start);
        }
        Target least = healthy.get(start);
        for (int i = 1; i < healthy.size(); i++) {
            Target candidate = healthy.get((start + i) % healthy.size());
            if (candidate.inFlight().get() < least.inFlight().get()) {
                least = candidate;
            }
        }
        return least;
    }

    /** Highest-random-weight hashing: a key keeps its target while that target is healthy, whatever the others do. */
    private static Target rendezvous(List<Target> healthy, String key) {
        Target best = null;
        long bestWeight = Long.MIN_VALUE;
        for (Target target : healthy) {
            long weight = mix(key.hashCode() * 31L + target.base().hashCode());
            if (best == null || weight > bestWeight) {
                best = target;
                bestWeight = weight;
            }
        }
        return best;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private static Function<HttpServerExchange, String> hashKey(String on) {
        if (on.equals("path")) {
            return HttpServerExchange::getRequestPath;
        }
        String name = on.substring(on.indexOf(':') + 1);
        if (on.startsWith("header:")) {
            HttpString header = HttpString.tryFromString(name);
            return exchange -> exchange.getRequestHeaders().getFirst(header);
        }
        return exchange -> {
            Cookie cookie = exchange.getRequestCookie(name);
            return cookie == null ? null : cookie.getValue();
        };
    }

    @Override
    public List<ProxyTarget> getAllTargets() {
        return List.copyOf(targets);
    }

    @Override
    public void getConnection(ProxyTarget proxyTarget, HttpServerExchange exchange, ProxyCallback<ProxyConnection> callback,
                              long timeout, TimeUnit unit) {
        exchange.putAttachment(TRIED, Boolean.TRUE);
        connect((Target) proxyTarget, exchange, callback, timeout, unit, new ArrayList<>());
    }

    /**
     * Connects to {@code target}; if it refuses, ejects it and tries the next healthy target not yet tried (nothing
     * was sent, so this is safe for any method). None left: {@code couldNotResolveBackend}.
     */
    private void connect(Target target, HttpServerExchange exchange, ProxyCallback<ProxyConnection> callback,
                         long timeout, TimeUnit unit, List<Target> tried) {
        tried.add(target);
        exchange.putAttachment(ObservedRequests.TARGET, target.base().toString());
        target.inFlight().incrementAndGet();
        exchange.addExchangeCompleteListener((ex, nextListener) -> {
            target.inFlight().decrementAndGet();
            nextListener.proceed();
        });
        LoadBalancingProxyClient client = target.client();
        client.getConnection(client.findTarget(exchange), exchange, new ProxyCallback<>() {
            /** One failed connect leads to one next step, whatever else Undertow reports for it. */
            private final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();

            @Override
            public void completed(HttpServerExchange ex, ProxyConnection connection) {
                callback.completed(ex, new ProxyConnection(new Ruled(connection.getConnection(), ex, target.host()),
                        connection.getTargetPath()));
            }

            @Override
            public void failed(HttpServerExchange ex) {
                tryNext(ex);
            }

            @Override
            public void couldNotResolveBackend(HttpServerExchange ex) {
                tryNext(ex);
            }

            @Override
            public void queuedRequestFailed(HttpServerExchange ex) {
                callback.queuedRequestFailed(ex);
            }

            private void tryNext(HttpServerExchange ex) {
                if (!settled.compareAndSet(false, true)) {
                    return;
                }
                eject(target);
                Target next = (Target) findTarget(ex);
                if (next == null || tried.contains(next)) {
                    callback.couldNotResolveBackend(ex);
                } else {
                    connect(next, ex, callback, timeout, unit, tried);
                }
            }
        }, timeout, unit);
    }

    private void eject(Target target) {
        if (ejectForNanos > 0) {
            target.ejectedUntilNanos().set(System.nanoTime() + ejectForNanos);
        }
    }

    /** The request's headers as ProxyHeaders decides, plus the proxy's framing and the target's Host. */
    private void rewrite(ClientRequest request, IngressRequest head, String host) {
        HeaderMap headers = request.getRequestHeaders();
        String length = headers.getFirst(Headers.CONTENT_LENGTH);
        String coding = headers.getFirst(Headers.TRANSFER_ENCODING);
        List<Map.Entry<String, String>> ruled = new ArrayList<>();
        for (Map.Entry<String, String> header : rules.toUpstream(head.headers(), head.target())) {
            if (!SET_BY_PROXY.contains(header.getKey())) {
                ruled.add(header);
            }
        }
        replace(headers, ruled);
        headers.put(Headers.HOST, host);
        if (length != null) {
            headers.put(Headers.CONTENT_LENGTH, length);
        }
        if (coding != null) {
            headers.put(Headers.TRANSFER_ENCODING, coding);
        }
    }

    static List<Map.Entry<String, String>> entries(HeaderMap headers) {
        List<Map.Entry<String, String>> entries = new ArrayList<>(headers.size());
        for (HeaderValues values : headers) {
            String name = values.getHeaderName().toString().toLowerCase(Locale.ROOT);
            for (String value : values) {
                entries.add(Map.entry(name, value));
            }
        }
        return entries;
    }

    static void replace(HeaderMap headers, List<Map.Entry<String, String>> entries) {
        headers.clear();
        for (Map.Entry<String, String> entry : entries) {
            headers.add(HttpString.tryFromString(entry.getKey()), entry.getValue());
        }
    }

    /** One pooled upstream connection, seen by one exchange: requests leave through {@link #rewrite}. */
    private final class Ruled implements ClientConnection {
        private final String host;
        private final ClientConnection connection;
        private final HttpServerExchange exchange;

        Ruled(ClientConnection connection, HttpServerExchange exchange, String host) {
            this.host = host;
            this.connection = connection;
            this.exchange = exchange;
        }

        @Override
        public void sendRequest(ClientRequest request, ClientCallback<ClientExchange> callback) {
            IngressRequest head = exchange.getAttachment(HEAD);
            if (head != null) {
                rewrite(request, head, host);
            }
            connection.sendRequest(request, callback);
        }

        @Override public StreamConnection performUpgrade() throws IOException { return connection.performUpgrade(); }
        @Override public ByteBufferPool getBufferPool() { return connection.getBufferPool(); }
        @Override public SocketAddress getPeerAddress() { return connection.getPeerAddress(); }
        @Override public <A extends SocketAddress> A getPeerAddress(Class<A> type) { return connection.getPeerAddress(type); }
        @Override public ChannelListener.Setter<? extends ClientConnection> getCloseSetter() { return connection.getCloseSetter(); }
        @Override public SocketAddress getLocalAddress() { return connection.getLocalAddress(); }
        @Override public <A extends SocketAddress> A getLocalAddress(Class<A> type) { return connection.getLocalAddress(type); }
        @Override public XnioWorker getWorker() { return connection.getWorker(); }
        @Override public XnioIoThread getIoThread() { return connection.getIoThread(); }
        @Override public boolean isOpen() { return connection.isOpen(); }
        @Override public boolean supportsOption(Option<?> option) { return connection.supportsOption(option); }
        @Override public <T> T getOption(Option<T> option) throws IOException { return connection.getOption(option); }
        @Override public <T> T setOption(Option<T> option, T value) throws IOException { return connection.setOption(option, value); }
        @Override public boolean isUpgraded() { return connection.isUpgraded(); }
        @Override public boolean isPushSupported() { return connection.isPushSupported(); }
        @Override public boolean isMultiplexingSupported() { return connection.isMultiplexingSupported(); }
        @Override public ClientStatistics getStatistics() { return connection.getStatistics(); }
        @Override public boolean isUpgradeSupported() { return connection.isUpgradeSupported(); }
        @Override public void addCloseListener(ChannelListener<ClientConnection> listener) { connection.addCloseListener(listener); }
        @Override public boolean isPingSupported() { return connection.isPingSupported(); }
        @Override public void sendPing(PingListener listener, long timeout, TimeUnit unit) { connection.sendPing(listener, timeout, unit); }
        @Override public void close() throws IOException { connection.close(); }
    }
}
