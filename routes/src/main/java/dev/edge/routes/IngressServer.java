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
    private final SpinDispatcher dispatcher;

    private IngressServer(CamelContext camel, SpinDispatcher dispatcher) {
        this.camel = camel;
        this.dispatcher = dispatcher;
    }

    /** Starts listening on {@code host:port} with the default {@link HttpLimits} and this body limit. */
    public static IngressServer start(String host, int port, long maxRequestBody, SpinDispatcher dispatcher,
                                      org.apache.camel.RoutesBuilder... extraRoutes) throws Exception {
        return start(host, port, HttpLimits.withMaxRequestBody(maxRequestBody), dispatcher, extraRoutes);
    }

    /** Starts listening on {@code host:port}; bodies are buffered within the process-wide default budget. */
    public static IngressServer start(String host, int port, HttpLimits limits, SpinDispatcher dispatcher,
                                      org.apache.camel.RoutesBuilder... extraRoutes) throws Exception {
        return start(host, port, limits, MemoryBudget.bodyDefault(), dispatcher, extraRoutes);
    }

    /**
     * Starts listening on {@code host:port}; returns once the port is bound.
     *
     * @param bodyBuffers the node's budget for buffered request bodies (shared with guests' response buffers)
     */
    public static IngressServer start(String host, int port, HttpLimits limits, MemoryBudget bodyBuffers,
                                      SpinDispatcher dispatcher, org.apache.camel.RoutesBuilder... extraRoutes)
            throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("edge");
        camel.setStreamCaching(false);
        camel.setMessageHistory(false);
        camel.getShutdownStrategy().setTimeout(5);
        camel.getShutdownStrategy().setTimeUnit(java.util.concurrent.TimeUnit.SECONDS);
        camel.getRegistry().bind(IngressRouteBuilder.BINDING_BEAN, new SpinUndertowBinding());
        camel.getRegistry().bind(IngressRouteBuilder.BODY_READER_BEAN, new RequestBodyReader(limits.maxRequestBody(), bodyBuffers));
        camel.getRegistry().bind(IngressRouteBuilder.INLINE_BEAN, new InlineAnswers(dispatcher));
        // Undertow with edge's header limits, parse/idle timeouts and connection cap (docs/security.md).
        camel.addComponent("undertow", new EdgeUndertowComponent(limits));
        camel.addRoutes(new IngressRouteBuilder(host, port, dispatcher));
        for (org.apache.camel.RoutesBuilder routes : extraRoutes) {
            camel.addRoutes(routes);
        }
        try {
            camel.start();
        } catch (Exception e) {
            camel.close();
            throw e;
        }
        return new IngressServer(camel, dispatcher);
    }

    public CamelContext camelContext() { return camel; }

    @Override
    public void close() {
        try {
            camel.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping Camel failed", e);
        } finally {
            dispatcher.closeStages();
        }
    }
}
