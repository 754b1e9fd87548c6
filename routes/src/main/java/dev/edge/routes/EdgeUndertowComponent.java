package dev.edge.routes;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.net.URI;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.component.undertow.HttpHandlerRegistrationInfo;
import org.apache.camel.component.undertow.UndertowComponent;
import org.apache.camel.component.undertow.UndertowConsumer;
import org.apache.camel.component.undertow.UndertowHost;
import org.apache.camel.component.undertow.UndertowHostKey;
import org.apache.camel.component.undertow.handlers.CamelRootHandler;
import org.apache.camel.component.undertow.handlers.NotFoundHandler;
import org.xnio.Options;

/**
 * camel-undertow with the listener hardened by {@link HttpLimits}: camel-undertow's own host cannot set
 * Undertow server options (header limits, parse/idle timeouts, connection cap), so this component builds
 * the Undertow server itself and keeps camel-undertow's path registry ({@link CamelRootHandler}).
 */
final class EdgeUndertowComponent extends UndertowComponent {
    private final HttpLimits limits;
    private final DrainGate gate;

    EdgeUndertowComponent(HttpLimits limits, DrainGate gate) {
        this.limits = limits;
        this.gate = gate;
    }

    @Override
    protected UndertowHost createUndertowHost(UndertowHostKey key) {
        return new HardenedHost(key, limits, gate);
    }

    /** The same life cycle as camel-undertow's DefaultUndertowHost: started by the first route, stopped by the last. */
    static final class HardenedHost implements UndertowHost {
        private final UndertowHostKey key;
        private final HttpLimits limits;
        private final DrainGate gate;
        private final ReentrantLock lock = new ReentrantLock();
        private final CamelRootHandler root = new CamelRootHandler(new NotFoundHandler());
        private Undertow undertow;

        HardenedHost(UndertowHostKey key, HttpLimits limits, DrainGate gate) {
            this.key = key;
            this.limits = limits;
            this.gate = gate;
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
                    Undertow server = builder().setHandler(gate.wrap(root)).build();
                    server.start();
                    undertow = server;
                }
                return registered;
            } finally {
                lock.unlock();
            }
        }

        private Undertow.Builder builder() {
            Undertow.Builder builder = Undertow.builder();
            if (key.getSslContext() != null) {
                builder.addHttpsListener(key.getPort(), key.getHost(), key.getSslContext());
            } else {
                builder.addHttpListener(key.getPort(), key.getHost());
            }
            int high = limits.maxConnections();
            return builder
                    .setServerOption(UndertowOptions.MAX_HEADER_SIZE, limits.maxHeaderBytes())
                    .setServerOption(UndertowOptions.MAX_HEADERS, limits.maxHeaders())
                    .setServerOption(UndertowOptions.MAX_PARAMETERS, limits.maxQueryParameters())
                    .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) limits.requestParseTimeout().toMillis())
                    .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) limits.noRequestTimeout().toMillis())
                    .setServerOption(UndertowOptions.IDLE_TIMEOUT, (int) limits.idleTimeout().toMillis())
                    // Reject what a lenient parser would guess at: raw non-ASCII in the target, ambiguous framing.
                    .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, false)
                    .setServerOption(UndertowOptions.ALLOW_ENCODED_SLASH, false)
                    .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                    .setSocketOption(Options.CONNECTION_HIGH_WATER, high)
                    .setSocketOption(Options.CONNECTION_LOW_WATER, Math.max(1, high - Math.max(1, high / 10)));
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
