package dev.edge.routes;

import io.undertow.server.HttpHandler;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.component.undertow.HttpHandlerRegistrationInfo;
import org.apache.camel.component.undertow.UndertowComponent;
import org.apache.camel.component.undertow.UndertowConsumer;
import org.apache.camel.component.undertow.UndertowHost;
import org.apache.camel.component.undertow.UndertowHostKey;
import org.apache.camel.component.undertow.handlers.CamelRootHandler;
import org.apache.camel.component.undertow.handlers.NotFoundHandler;

/**
 * camel-undertow with the listener hardened by {@link HttpLimits}: camel-undertow's own host cannot set
 * Undertow server options (header limits, parse/idle timeouts, connection cap), TLS or HTTP/2, so this component
 * starts edge's own {@link IngressListener} and keeps camel-undertow's path registry ({@link CamelRootHandler}).
 */
final class EdgeUndertowComponent extends UndertowComponent {
    private final HttpLimits limits;
    private final Optional<TlsSettings> tls;
    private final DrainGate gate;
    private final AppGenerations generations;
    private final ObservedRequests observed;

    EdgeUndertowComponent(HttpLimits limits, Optional<TlsSettings> tls, DrainGate gate, AppGenerations generations,
                          ObservedRequests observed) {
        this.limits = limits;
        this.tls = tls;
        this.gate = gate;
        this.generations = generations;
        this.observed = observed;
    }

    @Override
    protected UndertowHost createUndertowHost(UndertowHostKey key) {
        return new HardenedHost(key, limits, tls, gate, generations, observed);
    }

    /** The same life cycle as camel-undertow's DefaultUndertowHost: started by the first route, stopped by the last. */
    static final class HardenedHost implements UndertowHost {
        private final UndertowHostKey key;
        private final HttpLimits limits;
        private final Optional<TlsSettings> tls;
        private final DrainGate gate;
        private final AppGenerations generations;
        private final ObservedRequests observed;
        private final ReentrantLock lock = new ReentrantLock();
        private final CamelRootHandler root = new CamelRootHandler(new NotFoundHandler());
        private IngressListener undertow;

        HardenedHost(UndertowHostKey key, HttpLimits limits, Optional<TlsSettings> tls, DrainGate gate,
                     AppGenerations generations, ObservedRequests observed) {
            this.key = key;
            this.limits = limits;
            this.tls = tls;
            this.gate = gate;
            this.generations = generations;
            this.observed = observed;
        }

        @Override
        public void validateEndpointURI(URI uri) {
            // any path: the ingress registers "/" with matchOnUriPrefix
        }

        @Override
        public HttpHandler registerHandler(UndertowConsumer consumer, HttpHandlerRegistrationInfo info,
                                           HttpHandler handler) {
            lock.lock();
            try {
                HttpHandler registered = root.add(info.getUri().getPath(), info.getMethodRestrict(),
                        Boolean.TRUE.equals(info.isMatchOnUriPrefix()), handler);
                if (undertow == null) {
                    if (key.getSslContext() != null) {
                        throw new IllegalStateException("edge's ingress listener does not take TLS from camel-undertow");
                    }
                    undertow = IngressListener.start(key.getHost(), key.getPort(), limits, tls,
                            observed.wrap(gate.wrap(generations.wrap(root)))); // outermost: a drained request is logged too
                }
                return registered;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void unregisterHandler(UndertowConsumer consumer, HttpHandlerRegistrationInfo info) {
            lock.lock();
            try {
                root.remove(info.getUri().getPath(), info.getMethodRestrict(),
                        Boolean.TRUE.equals(info.isMatchOnUriPrefix()));
                if (root.isEmpty() && undertow != null) {
                    undertow.stop();
                    undertow = null;
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "edge undertow host " + key.getHost() + ":" + key.getPort();
        }
    }
}
