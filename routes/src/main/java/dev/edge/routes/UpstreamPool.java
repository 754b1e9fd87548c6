package dev.edge.routes;

import dev.edge.config.UpstreamPoolConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
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
import io.undertow.client.ClientResponse;
import io.undertow.client.ContinueNotification;
import io.undertow.client.PushCallback;
import io.undertow.util.AttachmentKey;
import io.undertow.util.AttachmentList;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.channels.ReadTimeoutException;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.Option;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The targets of one upstream (a pool, or a single URL as a pool of one), as Undertow's
 * {@link io.undertow.server.handlers.proxy.ProxyHandler} sees them: it picks a target per request (round robin,
 * least requests in flight, or a rendezvous hash of a header, cookie or the path), skips a target that failed
 * {@code eject_after} tries in a row for {@code eject_for} (a pool of one is never skipped, as in nginx), and sends
 * each request with exactly the headers {@link ProxyHeaders} decides. ProxyHandler adds its own
 * {@code X-Forwarded-*} (and keeps a client's {@code X-Forwarded-Host}); the request it built is rewritten here as
 * it leaves, in place or from the client's original headers. Only the framing is the proxy's, and {@code Host} is
 * the target's.
 *
 * <p>Timeouts and retries: each try is watched ({@link Try}) for {@code connect_timeout}, {@code try_timeout} and
 * the request's overall deadline; a failed try is tried again only when {@code retries} lists its failure and
 * ProxyHandler agrees it is safe (a connect failure always is: nothing was sent; anything else only for a method
 * in {@code retries.methods} whose request had no body left to send). ProxyHandler asks {@link #findTarget} for
 * the next target; this answers null when no retry is due, and ProxyHandler then ends the exchange, which
 * {@link StreamingProxy} answers 502 or 504.
 *
 * <p>Health: a target is in rotation while its active checks ({@link ActiveHealth}, off the request path) pass and
 * failed tries have not ejected it. A pool's circuit breaker ({@link #admit}) answers for the whole pool. Every try
 * is metered per target ({@link UpstreamMetrics}). {@link #close} stops the checks: a pool belongs to one app
 * generation.
 */
final class UpstreamPool implements ProxyClient {
    /** The request's tries (and its head): set by {@link StreamingProxy#forward} before ProxyHandler runs. */
    static final AttachmentKey<Tries> TRIES = AttachmentKey.create(Tries.class);
    private static final Exception FAILED_ANSWER = new Exception("5xx answer") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };
    private static final Set<String> SET_BY_PROXY = Set.of("host", "content-length", "transfer-encoding");

    /** One target: its connections (Undertow's, and the lane's for an http target), load, passive and active health, meters. */
    static final class Target implements ProxyTarget {
        private final URI base;
        private final String host;
        private final LoadBalancingProxyClient client;
        /** The lane's connections to an http target (UpstreamLane); null for https. */
        final UpstreamLane.Connections lane;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicLong ejectedUntilNanos = new AtomicLong();
        private final AtomicInteger consecutiveFailures = new AtomicInteger();
        private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
        private final ActiveHealth health;
        private final UpstreamMetrics.Target meters;

        Target(URI base, LoadBalancingProxyClient client, UpstreamMetrics metrics) {
            this.base = base;
            this.host = base.getRawAuthority();
            this.client = client;
            this.lane = base.getScheme().equals("http") ? new UpstreamLane.Connections(base) : null;
            this.health = new ActiveHealth(base, this::ejectedByChecks);
            this.meters = metrics.target(base.toString(), this, t -> t.available(System.nanoTime()) ? 1 : 0,
                    t -> t.connections.size() + (t.lane == null ? 0 : t.lane.open()));
        }

        private void ejectedByChecks() {
            meters.ejectedActively();
        }

        /** In rotation: passing its active checks (if any) and not ejected by failed tries. */
        boolean available(long nowNanos) {
            return health.up() && ejectedUntilNanos.get() - nowNanos <= 0;
        }

        /** Counts a connection while it is open (the first time a request uses it). */
        void using(ClientConnection connection) {
            if (!connections.contains(connection) && connections.add(connection)) {
                connection.addCloseListener(connections::remove);
                if (!connection.isOpen()) {
                    connections.remove(connection);
                }
            }
        }
    }

    /**
     * The try in progress as the watch sees it, whichever engine sends it (Undertow's client, or the lane).
     */
    interface Attempt {
        /** Bytes read from the upstream on the try's connection so far; -1 when it is not watched for idle. */
        long bytesRead();

        /** After the head: whether the try waits for body bytes (false while a slow client holds the reads). */
        boolean waitingForBody();

        /** Nothing read for idle_timeout while waiting: before the head a timeout (504), after it the body is cut. */
        void idle();

        /** The client's connection closed while the try was in progress. */
        default void clientGone() {
        }
    }

    /**
     * One proxied request's tries, on its IO thread, watched ({@link UpstreamWatch}) for the overall deadline and for
     * an upstream that sends nothing for {@code idle_timeout} while the proxy waits to read from it.
     */
    static final class Tries extends UpstreamWatch.Watched {
        private final long deadlineNanos;
        /** The request as the stages saw it: the header rules start from it (one attachment for both). */
        private final IngressRequest head;
        private HttpServerExchange exchange;
        private long idleNanos;
        private boolean deadlinePassed;
        /** The try in progress. */
        private Attempt current;
        private long lastRead = -1;
        private long lastProgressNanos;
        private final List<Target> tried = new ArrayList<>(2);
        private int retries;
        private boolean retryWanted;
        private boolean headReceived;
        private UpstreamPoolConfig.Failure lastFailure;
        /** Fails the try in progress when the deadline passes. */
        private Runnable cancel;

        Tries(long deadlineNanos, IngressRequest head) {
            this.deadlineNanos = deadlineNanos;
            this.head = head;
        }

        boolean started() {
            return !tried.isEmpty();
        }

        /** Whether the last try failed by a timeout (504) rather than a connection failure (502). */
        boolean timedOut() {
            return lastFailure == UpstreamPoolConfig.Failure.TIMEOUT;
        }

        boolean headReceived() {
            return headReceived;
        }

        private boolean pastDeadline() {
            return System.nanoTime() - deadlineNanos >= 0;
        }

        private void watched(HttpServerExchange exchange, long idleNanos) {
            this.exchange = exchange;
            this.idleNanos = idleNanos;
            this.lastProgressNanos = System.nanoTime();
        }

        /** The try in progress, and what fails it when the overall deadline passes. */
        void attempt(Attempt attempt, Runnable cancel) {
            this.current = attempt;
            this.cancel = cancel;
        }

        @Override
        boolean check(long now) {
            if (exchange.isComplete()) {
                return false;
            }
            if (!exchange.getConnection().isOpen()) {
                Attempt attempt = current;
                if (attempt != null) {
                    attempt.clientGone();
                }
                return false;
            }
            if (!headReceived && !deadlinePassed && now - deadlineNanos >= 0) {
                deadlinePassed = true;
                deadline();
            }
            Attempt sent = current;
            long read = sent == null ? -1 : sent.bytesRead();
            if (read < 0) { // no try on a connection now (or one without byte counts: not watched for idle)
                lastProgressNanos = now;
                return true;
            }
            // Waiting: for the head, or for body bytes the client has room for (a slow client stops the reads).
            boolean waiting = !headReceived || sent.waitingForBody();
            if (read != lastRead || !waiting) {
                lastRead = read;
                lastProgressNanos = now;
            } else if (now - lastProgressNanos >= idleNanos) {
                lastProgressNanos = now;
                sent.idle();
            }
            return true;
        }

        /** The overall deadline passed: the try in progress, if its head has not come, fails as timed out. */
        void deadline() {
            Runnable current = cancel;
            if (!headReceived && current != null) {
                current.run();
            }
        }
    }

    private final List<Target> targets;
    private final UpstreamPoolConfig.Balance balance;
    private final Function<HttpServerExchange, String> hashKey;
    private final UpstreamPoolConfig.Timeouts timeouts;
    private final UpstreamPoolConfig.Retries retries;
    private final int ejectAfter;
    private final long ejectForNanos;
    private final ProxyHeaders rules;
    private final AtomicInteger next = new AtomicInteger();
    private final Optional<ActiveHealth.Checks> checks;
    private final Optional<CircuitBreaker> breaker;
    private final UpstreamMetrics metrics;
    private final UpstreamWatch watch;

    /**
     * @param checker runs the pool's active health checks, if it has any (off the request path)
     */
    UpstreamPool(UpstreamPoolConfig config, ProxyHeaders rules, Function<URI, LoadBalancingProxyClient> clients,
                 SSLContext tls, Supplier<ScheduledExecutorService> checker, UpstreamMetrics metrics) {
        List<Target> list = new ArrayList<>();
        for (URI target : config.targets()) {
            URI base = StreamingProxy.base(target);
            list.add(new Target(base, clients.apply(base), metrics));
        }
        this.targets = List.copyOf(list);
        this.metrics = metrics;
        this.breaker = config.circuitBreaker().map(UpstreamPool::breaker);
        breaker.ifPresent(circuit -> metrics.circuitState(() -> switch (circuit.getState()) {
            case CLOSED, DISABLED, METRICS_ONLY -> 0;
            case HALF_OPEN -> 2;
            default -> 1;
        }));
        this.checks = config.health().map(health -> ActiveHealth.start(health, config.timeouts().connect(), tls,
                targets.stream().map(t -> t.health).toList(), checker.get()));
        this.balance = config.balance();
        this.hashKey = config.hashOn().map(UpstreamPool::hashKey).orElse(exchange -> null);
        this.timeouts = config.timeouts();
        this.watch = new UpstreamWatch(Math.min(timeouts.request().toNanos(), timeouts.idle().toNanos()));
        this.retries = config.retries();
        this.ejectAfter = config.ejection().after();
        this.ejectForNanos = targets.size() > 1 ? config.ejection().forDuration().toNanos() : 0;
        this.rules = rules;
    }

    /** Resilience4j's breaker, used without blocking: a permission per request, its outcome recorded when known. */
    private static CircuitBreaker breaker(UpstreamPoolConfig.CircuitBreaker config) {
        return CircuitBreaker.of("upstream", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(config.window())
                .minimumNumberOfCalls(config.window())
                .failureRateThreshold(config.failureRate())
                .waitDurationInOpenState(config.openFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .writableStackTraceEnabled(false)
                .build());
    }

    /**
     * Whether the pool's breaker lets {@code exchange} through (always, without a breaker). If it does, the answer's
     * status is recorded as it is committed (5xx: a failure), or the permission released if none ever is.
     */
    boolean admit(HttpServerExchange exchange) {
        if (breaker.isEmpty()) {
            return true;
        }
        CircuitBreaker circuit = breaker.get();
        if (!circuit.tryAcquirePermission()) {
            metrics.circuitOpen();
            return false;
        }
        long start = System.nanoTime();
        boolean[] recorded = {false};
        exchange.addResponseCommitListener(ex -> {
            recorded[0] = true;
            long elapsed = System.nanoTime() - start;
            if (ex.getStatusCode() >= 500) {
                circuit.onError(elapsed, TimeUnit.NANOSECONDS, FAILED_ANSWER);
            } else {
                circuit.onSuccess(elapsed, TimeUnit.NANOSECONDS);
            }
        });
        exchange.addExchangeCompleteListener((ex, nextListener) -> {
            if (!recorded[0]) {
                circuit.releasePermission(); // the client left before any answer
            }
            nextListener.proceed();
        });
        return true;
    }

    /** ProxyHandler found no target in rotation: the pool answers 503. */
    void noTarget() {
        metrics.noTarget();
    }

    int size() {
        return targets.size();
    }

    UpstreamPoolConfig.Timeouts timeouts() {
        return timeouts;
    }

    /** ProxyHandler's check before it sends a failed request again: the methods {@code retries} allows. */
    boolean mayResendMethod(HttpServerExchange exchange) {
        return retries.methods().contains(exchange.getRequestMethod().toString());
    }

    /** Whether every target is clear-text http: the lane (UpstreamLane) can serve the pool's bodyless requests. */
    boolean allHttp() {
        return targets.stream().allMatch(t -> t.lane != null);
    }

    /** Stops the health checks and closes every pooled connection: the pool is no longer used. */
    void close() {
        checks.ifPresent(ActiveHealth.Checks::stop);
        watch.close();
        for (Target target : targets) {
            target.client.closeCurrentConnections();
            if (target.lane != null) {
                target.lane.close();
            }
        }
    }

    @Override
    public ProxyTarget findTarget(HttpServerExchange exchange) {
        Tries tries = exchange.getAttachment(TRIES);
        if (tries == null || !tries.started()) {
            return choose(exchange, List.of());
        }
        // ProxyHandler asks again after a failed try.
        if (!tries.retryWanted || tries.retries >= retries.attempts()) {
            return null;
        }
        if (tries.pastDeadline()) {
            tries.lastFailure = UpstreamPoolConfig.Failure.TIMEOUT; // request_timeout ended the tries: 504
            return null;
        }
        tries.retryWanted = false;
        tries.retries++;
        metrics.retried();
        return choose(exchange, tries.tried);
    }

    /** A healthy target, one not tried yet if there is one; null if no target is healthy. */
    private Target choose(HttpServerExchange exchange, List<Target> tried) {
        long now = System.nanoTime();
        List<Target> healthy = new ArrayList<>(targets.size());
        for (Target target : targets) {
            if (target.available(now) && !tried.contains(target)) {
                healthy.add(target);
            }
        }
        if (healthy.isEmpty() && !tried.isEmpty()) {
            for (Target target : tried) {
                if (target.available(now)) {
                    healthy.add(target);
                }
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
            if (candidate.inFlight.get() < least.inFlight.get()) {
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
            long weight = mix(key.hashCode() * 31L + target.base.hashCode());
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
        Target target = (Target) proxyTarget;
        Tries tries = exchange.getAttachment(TRIES);
        beginTry(target, exchange, tries);
        Connect connect = new Connect(target, tries, exchange, callback);
        tries.cancel = connect::deadline;
        LoadBalancingProxyClient client = target.client;
        client.getConnection(client.findTarget(exchange), exchange, connect, timeout, unit);
        // A pooled idle connection is handed over at once; only a connection still to be made needs the timer (a
        // timer costs a sorted insert and removal on the IO thread). Outcomes come later on this same IO thread.
        if (!connect.settled) {
            connect.timer = exchange.getIoThread().executeAfter(connect::timedOut, timeouts.connect().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A try of {@code exchange} on {@code target} begins (either engine): the first one starts the watch, each is
     * counted in flight until the exchange ends, and the access log names the last target.
     */
    void beginTry(Target target, HttpServerExchange exchange, Tries tries) {
        if (tries.tried.isEmpty()) {
            tries.watched(exchange, timeouts.idle().toNanos());
            Runnable unwatch = watch.add(exchange.getIoThread(), tries);
            // One listener per request, not one per try: every try's target counted itself in flight below.
            exchange.addExchangeCompleteListener((ex, nextListener) -> {
                unwatch.run();
                for (Target t : tries.tried) {
                    t.inFlight.decrementAndGet();
                }
                nextListener.proceed();
            });
        }
        tries.tried.add(target);
        exchange.putAttachment(ObservedRequests.TARGET, target.base.toString());
        target.inFlight.incrementAndGet();
    }

    /** {@code connect_timeout} passed (either engine): a connect failure (retried as one), 504 if it is the last try. */
    void connectTimedOut(Target target, Tries tries, long startNanos) {
        failedTry(target, tries, UpstreamPoolConfig.Failure.CONNECT_FAILURE, true, startNanos);
        tries.lastFailure = UpstreamPoolConfig.Failure.TIMEOUT;
    }

    /** The overall deadline passed while connecting (either engine): no more tries, 504. */
    void deadlineWhileConnecting(Target target, Tries tries, long startNanos) {
        tries.lastFailure = UpstreamPoolConfig.Failure.TIMEOUT;
        tries.retryWanted = false;
        target.meters.tried(UpstreamPoolConfig.Failure.TIMEOUT.text(), System.nanoTime() - startNanos);
    }

    /**
     * A try's response head came with {@code status} (either engine): metered, counted for passive health. True when
     * {@code retries} lists the status and sending again is safe: the caller drops the answer and its connection and
     * tries again; false when the answer goes to the client.
     */
    boolean answered(Target target, Tries tries, HttpServerExchange exchange, int status, long startNanos,
                     boolean requestCompleteWhenSent) {
        target.meters.tried(UpstreamMetrics.statusClass(status), System.nanoTime() - startNanos);
        if (status >= 500) {
            countFailure(target);
        } else {
            countSuccess(target);
        }
        if (retries.statuses().contains(status) && mayResend(exchange, tries, requestCompleteWhenSent)) {
            tries.lastFailure = null;
            tries.retryWanted = true;
            return true;
        }
        tries.headReceived = true;
        return false;
    }

    /**
     * One connection attempt to {@code target}: its first outcome wins (a connection, a failure, the connect timeout
     * or the overall deadline); a connection that comes after is returned to the pool when the exchange ends.
     */
    private final class Connect implements ProxyCallback<ProxyConnection> {
        private final Target target;
        private final Tries tries;
        private final HttpServerExchange exchange;
        private final ProxyCallback<ProxyConnection> callback;
        private final long startNanos = System.nanoTime();
        private boolean settled;
        private XnioExecutor.Key timer;

        Connect(Target target, Tries tries, HttpServerExchange exchange, ProxyCallback<ProxyConnection> callback) {
            this.target = target;
            this.tries = tries;
            this.exchange = exchange;
            this.callback = callback;
        }

        private boolean settle() {
            if (settled) {
                return false;
            }
            settled = true;
            if (timer != null) {
                timer.remove();
            }
            return true;
        }

        @Override
        public void completed(HttpServerExchange exchange, ProxyConnection connection) {
            if (settle()) {
                target.using(connection.getConnection());
                callback.completed(exchange, new ProxyConnection(
                        new Ruled(connection.getConnection(), exchange, target, tries, startNanos), connection.getTargetPath()));
            }
        }

        @Override
        public void failed(HttpServerExchange exchange) {
            if (settle()) {
                failedTry(target, tries, UpstreamPoolConfig.Failure.CONNECT_FAILURE, true, startNanos);
                callback.failed(exchange);
            }
        }

        @Override
        public void couldNotResolveBackend(HttpServerExchange exchange) {
            failed(exchange);
        }

        @Override
        public void queuedRequestFailed(HttpServerExchange exchange) {
            if (settle()) {
                callback.queuedRequestFailed(exchange);
            }
        }

        /** {@code connect_timeout}: a connect failure (retried as one), answered 504 if it is the last try. */
        void timedOut() {
            timer = null;
            if (settle()) {
                connectTimedOut(target, tries, startNanos);
                callback.failed(exchange);
            }
        }

        void deadline() {
            if (settle()) {
                deadlineWhileConnecting(target, tries, startNanos);
                callback.couldNotResolveBackend(exchange);
            }
        }
    }
    /**
     * A try failed: remembered for the answer (502 or 504), counted towards ejecting the target, and tried again if
     * {@code retries.on} lists the failure and sending again is safe.
     */
    void failedTry(Target target, Tries tries, UpstreamPoolConfig.Failure failure, boolean resendSafe,
                           long startNanos) {
        target.meters.tried(failure.text(), System.nanoTime() - startNanos);
        tries.lastFailure = failure;
        tries.retryWanted = resendSafe && retries.on().contains(failure);
        countFailure(target);
    }

    /** Passive health: {@code eject_after} failed tries in a row take the target out for {@code eject_for}. */
    private void countFailure(Target target) {
        if (target.consecutiveFailures.incrementAndGet() >= ejectAfter && ejectForNanos > 0) {
            target.consecutiveFailures.set(0);
            long now = System.nanoTime();
            if (target.ejectedUntilNanos.getAndSet(now + ejectForNanos) - now <= 0) {
                target.meters.ejectedPassively(); // counted when it leaves rotation, not when tries in flight fail too
            }
        }
    }

    private static void countSuccess(Target target) {
        if (target.consecutiveFailures.get() != 0) {
            target.consecutiveFailures.set(0);
        }
    }

    /**
     * Whether a try that may have reached the upstream can be sent again: attempts left, the deadline not passed,
     * a method {@code retries.methods} lists, and no request body (ProxyHandler streams a body once; it is gone).
     */
    boolean mayResend(HttpServerExchange exchange, Tries tries, boolean requestCompleteWhenSent) {
        return requestCompleteWhenSent && tries.retries < retries.attempts() && !tries.pastDeadline()
                && mayResendMethod(exchange);
    }

    /**
     * The request's headers as ProxyHeaders decides, plus the proxy's framing and the target's Host: in place on
     * ProxyHandler's copy when the rules allow (ProxyHeaders.toUpstreamInPlace), else rebuilt from the client's.
     */
    private void rewrite(ClientRequest request, HttpServerExchange exchange, IngressRequest head, String host) {
        HeaderMap headers = request.getRequestHeaders();
        if (rules.toUpstreamInPlace(exchange.getRequestHeaders(), headers, head.target())) {
            headers.put(Headers.HOST, host);
            return;
        }
        String length = headers.getFirst(Headers.CONTENT_LENGTH);
        String coding = headers.getFirst(Headers.TRANSFER_ENCODING);
        headers.clear();
        for (Map.Entry<String, String> header : rules.toUpstream(head.headers(), head.target())) {
            if (!SET_BY_PROXY.contains(header.getKey())) {
                headers.add(HttpString.tryFromString(header.getKey()), header.getValue());
            }
        }
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

    /** One pooled upstream connection, seen by one exchange: requests leave through {@link #rewrite}, watched. */
    private final class Ruled implements ClientConnection, Attempt {
        private final ClientConnection connection;
        private final HttpServerExchange exchange;
        private final Target target;
        private final Tries tries;
        private final long startNanos;
        private Try attempt;
        /** The response, once its head came. */
        private ClientExchange response;

        Ruled(ClientConnection connection, HttpServerExchange exchange, Target target, Tries tries, long startNanos) {
            this.connection = connection;
            this.exchange = exchange;
            this.target = target;
            this.tries = tries;
            this.startNanos = startNanos;
        }

        @Override
        public void sendRequest(ClientRequest request, ClientCallback<ClientExchange> callback) {
            if (tries.head != null) {
                rewrite(request, exchange, tries.head, target.host);
            }
            // idle_timeout (nginx's proxy_read_timeout) is the watch's (Tries.check), not Undertow's READ_TIMEOUT.
            attempt = new Try(this, callback, exchange.isRequestComplete());
            tries.attempt(this, attempt::deadline);
            timeouts.perTry().ifPresent(perTry -> attempt.timer = exchange.getIoThread().executeAfter(attempt::timedOut,
                    perTry.toMillis(), TimeUnit.MILLISECONDS));
            connection.sendRequest(request, attempt);
        }

        @Override
        public long bytesRead() {
            ClientStatistics statistics = connection.isOpen() ? connection.getStatistics() : null;
            return statistics == null ? -1 : statistics.getRead();
        }

        @Override
        public boolean waitingForBody() {
            return response != null && response.getResponseChannel().isReadResumed();
        }

        @Override
        public void idle() {
            if (!tries.headReceived && attempt != null) {
                attempt.broke(new ReadTimeoutException("no byte from the upstream within idle_timeout"));
                IoUtils.safeClose(connection);
                return;
            }
            // A body cut short: the client's connection goes too, so it cannot take the part for the whole.
            IoUtils.safeClose(connection);
            IoUtils.safeClose(exchange.getConnection());
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

    /**
     * One request sent on one connection, until its response head: the first outcome wins (the head, a failure, the
     * per-try timeout, the overall deadline). A head whose status {@code retries} lists is dropped, with its
     * connection, and the request tried again when that is safe; otherwise it goes on to ProxyHandler.
     */
    private final class Try implements ClientCallback<ClientExchange> {
        private final Ruled sent;
        private final ClientCallback<ClientExchange> sendCallback;
        private final boolean requestCompleteWhenSent;
        private ClientCallback<ClientExchange> responseListener;
        private boolean settled;
        private XnioExecutor.Key timer;

        Try(Ruled sent, ClientCallback<ClientExchange> sendCallback, boolean requestCompleteWhenSent) {
            this.sent = sent;
            this.sendCallback = sendCallback;
            this.requestCompleteWhenSent = requestCompleteWhenSent;
        }

        private boolean settle() {
            if (settled) {
                return false;
            }
            settled = true;
            if (timer != null) {
                timer.remove();
            }
            return true;
        }

        @Override
        public void completed(ClientExchange result) {
            if (!settled) {
                sendCallback.completed(new Watched(result, this));
            }
        }

        @Override
        public void failed(IOException e) {
            broke(e);
        }

        void answered(ClientExchange result) {
            if (!settle()) {
                return;
            }
            int status = result.getResponse().getResponseCode();
            if (UpstreamPool.this.answered(sent.target, sent.tries, sent.exchange, status, sent.startNanos, requestCompleteWhenSent)) {
                IoUtils.safeClose(sent.connection);
                responseListener.failed(new IOException("upstream answered " + status + "; trying again"));
                return;
            }
            sent.response = result;
            responseListener.completed(result);
        }

        void broke(IOException e) {
            if (settle()) {
                UpstreamPoolConfig.Failure failure = e instanceof ReadTimeoutException
                        ? UpstreamPoolConfig.Failure.TIMEOUT : UpstreamPoolConfig.Failure.RESET;
                failedTry(sent.target, sent.tries, failure, mayResend(sent.exchange, sent.tries, requestCompleteWhenSent),
                        sent.startNanos);
                fail(e);
            }
        }

        /** {@code try_timeout}: no head yet. */
        void timedOut() {
            timer = null;
            if (settle()) {
                failedTry(sent.target, sent.tries, UpstreamPoolConfig.Failure.TIMEOUT,
                        mayResend(sent.exchange, sent.tries, requestCompleteWhenSent), sent.startNanos);
                fail(new IOException("no response head within try_timeout"));
                IoUtils.safeClose(sent.connection);
            }
        }

        void deadline() {
            if (settle()) {
                failedTry(sent.target, sent.tries, UpstreamPoolConfig.Failure.TIMEOUT, false, sent.startNanos);
                fail(new IOException("no response head within request_timeout"));
                IoUtils.safeClose(sent.connection);
            }
        }

        /** Hands the failure to ProxyHandler, which tries again (asking {@link #findTarget}) or ends the exchange. */
        private void fail(IOException e) {
            if (responseListener != null) {
                responseListener.failed(e);
            } else {
                sendCallback.failed(e);
            }
        }
    }

    /** The client exchange as ProxyHandler sees it: its response listener goes through the {@link Try}. */
    private static final class Watched implements ClientExchange {
        private final ClientExchange exchange;
        private final Try attempt;

        Watched(ClientExchange exchange, Try attempt) {
            this.exchange = exchange;
            this.attempt = attempt;
        }

        @Override
        public void setResponseListener(ClientCallback<ClientExchange> listener) {
            attempt.responseListener = listener;
            exchange.setResponseListener(new ClientCallback<>() {
                @Override
                public void completed(ClientExchange result) {
                    // Taken in a task of this IO thread (no system call), after the one Undertow's client queues
                    // when body bytes came with the head (PushBackStreamSourceConduit.wakeupReads). Taken at once,
                    // the exchange ends first and that task runs the client's idle-connection read: a read() ->
                    // EAGAIN per response. After it, the task finds no read listener yet and only suspends reads,
                    // which the exchange resumes before the selector runs again.
                    try {
                        result.getConnection().getIoThread().execute(() -> attempt.answered(result));
                    } catch (java.util.concurrent.RejectedExecutionException stopping) {
                        attempt.answered(result); // the IO thread is shutting down: no later task will run
                    }
                }

                @Override
                public void failed(IOException e) {
                    attempt.broke(e);
                }
            });
        }

        @Override public void setContinueHandler(ContinueNotification handler) { exchange.setContinueHandler(handler); }
        @Override public void setPushHandler(PushCallback handler) { exchange.setPushHandler(handler); }
        @Override public StreamSinkChannel getRequestChannel() { return exchange.getRequestChannel(); }
        @Override public StreamSourceChannel getResponseChannel() { return exchange.getResponseChannel(); }
        @Override public ClientRequest getRequest() { return exchange.getRequest(); }
        @Override public ClientResponse getResponse() { return exchange.getResponse(); }
        @Override public ClientResponse getContinueResponse() { return exchange.getContinueResponse(); }
        @Override public ClientConnection getConnection() { return exchange.getConnection(); }
        @Override public <T> T getAttachment(AttachmentKey<T> key) { return exchange.getAttachment(key); }
        @Override public <T> List<T> getAttachmentList(AttachmentKey<? extends List<T>> key) { return exchange.getAttachmentList(key); }
        @Override public <T> T putAttachment(AttachmentKey<T> key, T value) { return exchange.putAttachment(key, value); }
        @Override public <T> T removeAttachment(AttachmentKey<T> key) { return exchange.removeAttachment(key); }
        @Override public <T> void addToAttachmentList(AttachmentKey<AttachmentList<T>> key, T value) { exchange.addToAttachmentList(key, value); }
    }
}
