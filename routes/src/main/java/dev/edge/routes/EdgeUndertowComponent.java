package dev.edge.routes;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.component.undertow.HttpHandlerRegistrationInfo;
import org.apache.camel.component.undertow.UndertowComponent;
import org.apache.camel.component.undertow.UndertowConsumer;
import org.apache.camel.component.undertow.UndertowHost;
import org.apache.camel.component.undertow.UndertowHostKey;
import org.apache.camel.component.undertow.handlers.CamelRootHandler;
import org.apache.camel.component.undertow.handlers.NotFoundHandler;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * camel-undertow with the listener hardened by {@link HttpLimits}: camel-undertow's own host cannot set
 * Undertow server options (header limits, parse/idle timeouts, connection cap), so this component builds
 * the Undertow server itself and keeps camel-undertow's path registry ({@link CamelRootHandler}).
 */
final class EdgeUndertowComponent extends UndertowComponent {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EdgeUndertowComponent.class);
    private final HttpLimits limits;

    EdgeUndertowComponent(HttpLimits limits) {
        this.limits = limits;
    }

    @Override
    protected UndertowHost createUndertowHost(UndertowHostKey key) {
        return new HardenedHost(key, limits);
    }

    /** The same life cycle as camel-undertow's DefaultUndertowHost: started by the first route, stopped by the last. */
    static final class HardenedHost implements UndertowHost {
        private final UndertowHostKey key;
        private final HttpLimits limits;
        private final ReentrantLock lock = new ReentrantLock();
        private final CamelRootHandler root = new CamelRootHandler(new NotFoundHandler());
        private Server undertow;

        HardenedHost(UndertowHostKey key, HttpLimits limits) {
            this.key = key;
            this.limits = limits;
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
                    undertow = start(root);
                }
                return registered;
            } finally {
                lock.unlock();
            }
        }

        /**
         * What {@code Undertow.builder()...start()} does (same worker, buffer and socket defaults), plus one step it
         * has no hook for: each accepted connection gets a {@link BareCrGuard} under Undertow's parser.
         */
        private Server start(HttpHandler handler) {
            int ioThreads = Math.max(Runtime.getRuntime().availableProcessors(), 2);
            int high = limits.maxConnections();
            OptionMap undertowOptions = OptionMap.builder()
                    .set(UndertowOptions.MAX_HEADER_SIZE, limits.maxHeaderBytes())
                    .set(UndertowOptions.MAX_HEADERS, limits.maxHeaders())
                    .set(UndertowOptions.MAX_PARAMETERS, limits.maxQueryParameters())
                    // 0 = no entity limit in Undertow (its default is 2 MiB): BodyReceiver enforces max_request_body
                    // itself, so bodies up to it pass and a larger one gets 413 and a drain, not a broken stream.
                    .set(UndertowOptions.MAX_ENTITY_SIZE, 0L)
                    // the same for multipart (camel-undertow's form handler would otherwise reset the entity limit)
                    .set(UndertowOptions.MULTIPART_MAX_ENTITY_SIZE, 0L)
                    .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) limits.requestParseTimeout().toMillis())
                    .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) limits.noRequestTimeout().toMillis())
                    .set(UndertowOptions.IDLE_TIMEOUT, (int) limits.idleTimeout().toMillis())
                    // Reject what a lenient parser would guess at: raw non-ASCII in the target, ambiguous framing.
                    .set(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, false)
                    .set(UndertowOptions.ALLOW_ENCODED_SLASH, false)
                    .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                    .getMap();
            OptionMap socketOptions = OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.REUSE_ADDRESSES, true)
                    .set(Options.BALANCING_TOKENS, 1)
                    .set(Options.BALANCING_CONNECTIONS, 2)
                    .set(Options.BACKLOG, 1000)
                    .set(Options.CONNECTION_HIGH_WATER, high)
                    .set(Options.CONNECTION_LOW_WATER, Math.max(1, high - Math.max(1, high / 10)))
                    .getMap();
            XnioWorker worker = null;
            try {
                worker = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
                        .set(Options.WORKER_IO_THREADS, ioThreads)
                        .set(Options.WORKER_TASK_CORE_THREADS, ioThreads * 8)
                        .set(Options.WORKER_TASK_MAX_THREADS, ioThreads * 8)
                        .set(Options.TCP_NODELAY, true)
                        .set(Options.CORK, true)
                        .getMap());
                DefaultByteBufferPool buffers = new DefaultByteBufferPool(true, 16 * 1024, -1, 4);
                HttpOpenListener http = new HttpOpenListener(buffers, undertowOptions);
                http.setRootHandler(handler);
                int maxHead = limits.maxHeaderBytes();
                ChannelListener<AcceptingChannel<StreamConnection>> accept = server -> {
                    try {
                        StreamConnection connection = server.accept();
                        if (connection != null) {
                            BareCrGuard.install(connection, maxHead);
                            http.handleEvent(connection);
                        }
                    } catch (java.io.IOException e) {
                        LOG.debug("accept failed", e);
                    }
                };
                AcceptingChannel<StreamConnection> channel = worker.createStreamConnectionServer(
                        new InetSocketAddress(InetAddress.getByName(key.getHost()), key.getPort()), accept, socketOptions);
                channel.resumeAccepts();
                return new Server(worker, channel, buffers);
            } catch (java.io.IOException e) {
                if (worker != null) {
                    worker.shutdownNow();
                }
                throw new UncheckedIOException(e);
            }
        }

        /** The bound listener and its threads. */
        private record Server(XnioWorker worker, AcceptingChannel<StreamConnection> channel, DefaultByteBufferPool buffers) {
            /** As Undertow.stop(): stop accepting, then let the worker finish. */
            void stop() {
                IoUtils.safeClose(channel);
                worker.shutdown();
                try {
                    worker.awaitTermination();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                buffers.close();
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
