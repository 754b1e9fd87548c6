package dev.edge.routes;

import dev.edge.wasm.MemoryBudget;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A plain {@link DefaultCamelContext} (no camel-main, no JMX) running the {@link IngressRouteBuilder}
 * plus any extra route builders, on an Undertow listener hardened by {@link HttpLimits}.
 */
public final class IngressServer implements AutoCloseable {
    private final CamelContext camel;
    private final AppGenerations generations;
    private final DrainGate gate;

    private IngressServer(CamelContext camel, AppGenerations generations, DrainGate gate) {
        this.camel = camel;
        this.generations = generations;
        this.gate = gate;
    }

    /** Starts listening on {@code host:port} with the default {@link HttpLimits} and this body limit. */
    public static IngressServer start(String host, int port, long maxRequestBody, SpinDispatcher dispatcher,
                                      org.apache.camel.RoutesBuilder... extraRoutes) throws Exception {
        return start(host, port, HttpLimits.withMaxRequestBody(maxRequestBody), dispatcher, extraRoutes);
    }

    /** Starts listening on {@code host:port} in clear text (HTTP/1.1 and h2c); returns once the port is bound. */
    public static IngressServer start(String host, int port, HttpLimits limits, SpinDispatcher dispatcher,
                                      org.apache.camel.RoutesBuilder... extraRoutes) throws Exception {
        return start(host, port, limits, java.util.Optional.empty(), dispatcher, extraRoutes);
    }

    /** As {@link #start(String, int, HttpLimits, java.util.Optional, MemoryBudget, SpinDispatcher, org.apache.camel.RoutesBuilder...)} with the process-wide default body budget. */
    public static IngressServer start(String host, int port, HttpLimits limits, java.util.Optional<TlsSettings> tls,
                                      SpinDispatcher dispatcher, org.apache.camel.RoutesBuilder... extraRoutes)
            throws Exception {
        return start(host, port, limits, tls, MemoryBudget.bodyDefault(), dispatcher, extraRoutes);
    }

    /**
     * Starts listening on {@code host:port}, with TLS (HTTP/1.1 and HTTP/2 by ALPN) if {@code tls} is present;
     * returns once the port is bound. A certificate or key that cannot be used is an {@link java.io.IOException}
     * naming the file, thrown before anything starts.
     *
     * @param bodyBuffers the node's budget for buffered request bodies (shared with guests' response buffers)
     */
    public static IngressServer start(String host, int port, HttpLimits limits, java.util.Optional<TlsSettings> tls,
                                      MemoryBudget bodyBuffers, SpinDispatcher dispatcher,
                                      org.apache.camel.RoutesBuilder... extraRoutes) throws Exception {
        return start(host, port, limits, tls, bodyBuffers, dispatcher, () -> { }, extraRoutes);
    }

    /**
     * As above, serving {@code dispatcher} as the first app generation, which {@code owned} belongs to: it is closed
     * with that generation (on {@link #close()}, or once a {@link #swap} has retired it). If starting fails,
     * {@code owned} is left to the caller.
     */
    public static IngressServer start(String host, int port, HttpLimits limits, java.util.Optional<TlsSettings> tls,
                                      MemoryBudget bodyBuffers, SpinDispatcher dispatcher, AutoCloseable owned,
                                      org.apache.camel.RoutesBuilder... extraRoutes) throws Exception {
        return start(host, port, limits, tls, bodyBuffers, java.util.Optional.empty(), dispatcher, owned, extraRoutes);
    }

    /** As above, logging every request to {@code accessLog} if present (which the caller closes after this server). */
    public static IngressServer start(String host, int port, HttpLimits limits, java.util.Optional<TlsSettings> tls,
                                      MemoryBudget bodyBuffers, java.util.Optional<AccessLog> accessLog,
                                      SpinDispatcher dispatcher, AutoCloseable owned,
                                      org.apache.camel.RoutesBuilder... extraRoutes) throws Exception {
        if (tls.isPresent()) {
            tls.get().sslContext(); // fail early, in one line, on a bad certificate or key
        }
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("edge");
        camel.setStreamCaching(false);
        camel.setMessageHistory(false);
        camel.getShutdownStrategy().setTimeout(5);
        camel.getShutdownStrategy().setTimeUnit(java.util.concurrent.TimeUnit.SECONDS);
        camel.getRegistry().bind(IngressRouteBuilder.BINDING_BEAN, new SpinUndertowBinding());
        camel.getRegistry().bind(IngressRouteBuilder.BODY_READER_BEAN, new RequestBodyReader(limits.maxRequestBody(),
                bodyBuffers, new StageFront(limits.maxRequestBody(), accessLog.isPresent())));
        camel.getRegistry().bind(IngressRouteBuilder.INLINE_BEAN, new InlineAnswers());
        AppGenerations generations = new AppGenerations(dispatcher, owned);
        // Undertow with edge's header limits, parse/idle timeouts and connection cap (docs/security.md).
        DrainGate gate = new DrainGate();
        camel.addComponent("undertow", new EdgeUndertowComponent(limits, tls, gate, generations,
                new ObservedRequests(accessLog.orElse(null))));
        camel.addRoutes(new IngressRouteBuilder(host, port));
        for (org.apache.camel.RoutesBuilder routes : extraRoutes) {
            camel.addRoutes(routes);
        }
        try {
            camel.start();
        } catch (Exception e) {
            camel.close();
            throw e;
        }
        return new IngressServer(camel, generations, gate);
    }

    /**
     * Hot reload: new requests go to {@code next} from now on; the requests in flight finish on the generation they
     * started on, which is then closed (its stages and what it owns), or after {@code drain} regardless.
     *
     * @param owned closed with {@code next}'s generation
     * @return the number of {@code next}'s generation (the first is 1)
     */
    public long swap(SpinDispatcher next, AutoCloseable owned, java.time.Duration drain) {
        return generations.swap(next, owned, drain);
    }

    /** The number of the app generation new requests go to (1 until the first {@link #swap}). */
    public long generation() {
        return generations.generation();
    }

    public CamelContext camelContext() { return camel; }

    /** Requests accepted and not yet answered. */
    public long inFlight() { return gate.inFlight(); }

    /**
     * Answers new requests 503 ({@code Connection: close}) from now on and waits up to {@code timeout} for
     * the requests in flight; {@link #close()} afterwards stops the listener.
     *
     * @return true if every request in flight finished in time
     */
    public boolean drain(java.time.Duration timeout) throws InterruptedException {
        return gate.drain(timeout);
    }

    @Override
    public void close() {
        gate.close();
        try {
            camel.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping Camel failed", e);
        } finally {
            generations.close();
        }
    }
}
