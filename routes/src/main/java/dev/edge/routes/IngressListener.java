package dev.edge.routes;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.DelegateOpenListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.OpenListener;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import io.undertow.server.protocol.http2.Http2UpgradeHandler;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The ingress socket: what {@code Undertow.builder()...start()} does, with the same worker, buffer and socket
 * defaults, plus what it has no hook for. Every accepted connection gets a {@link BareCrGuard} under the HTTP
 * parser; a clear-text HTTP/1.x request without a body keeps its connection registered for reads while it runs
 * ({@link ReadInterest}). HTTP/2 is served over TLS (ALPN {@code h2}) and in clear text (h2c, by prior knowledge or
 * {@code Upgrade: h2c}). With {@link TlsSettings}, the certificates (chosen by SNI name) are read again when a file
 * changes; its protocol versions and cipher suites apply to every handshake.
 */
final class IngressListener {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IngressListener.class);
    /** How often the certificate files are checked for a change. */
    static final long TLS_RELOAD_CHECK_MILLIS = 1000;
    /** HTTP/2 streams one connection may have open at once (nginx's default). */
    static final int MAX_CONCURRENT_STREAMS = 128;

    private final XnioWorker worker;
    private final AcceptingChannel<? extends StreamConnection> channel;
    private final DefaultByteBufferPool buffers;

    private IngressListener(XnioWorker worker, AcceptingChannel<? extends StreamConnection> channel,
                            DefaultByteBufferPool buffers) {
        this.worker = worker;
        this.channel = channel;
        this.buffers = buffers;
    }

    static IngressListener start(String host, int port, HttpLimits limits, Optional<TlsSettings> tls, HttpHandler root) {
        int ioThreads = limits.ioThreads();
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
                .set(UndertowOptions.ENABLE_HTTP2, true)
                .set(UndertowOptions.HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits.maxHeaderBytes())
                // as nginx's http2_max_concurrent_streams: one connection cannot start unbounded work at once
                .set(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, MAX_CONCURRENT_STREAMS)
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
        Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
        XnioWorker worker = null;
        DefaultByteBufferPool buffers = new DefaultByteBufferPool(true, 16 * 1024, -1, 4);
        try {
            worker = xnio.createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.WORKER_TASK_CORE_THREADS, ioThreads * 8)
                    .set(Options.WORKER_TASK_MAX_THREADS, ioThreads * 8)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.CORK, true)
                    .getMap());
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), port);
            int maxHead = limits.maxHeaderBytes();
            AcceptingChannel<? extends StreamConnection> channel;
            if (tls.isPresent()) {
                HttpOpenListener http1 = new HttpOpenListener(buffers, undertowOptions);
                http1.setRootHandler(root);
                Http2OpenListener http2 = new Http2OpenListener(buffers, undertowOptions, "h2");
                http2.setRootHandler(root);
                AlpnOpenListener alpn = new AlpnOpenListener(buffers, undertowOptions, "http/1.1", http1);
                alpn.addProtocol(Http2OpenListener.HTTP2, http2, 10);
                UndertowXnioSsl ssl = new UndertowXnioSsl(xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true),
                        tls.get().sslContext());
                channel = ssl.createSslConnectionServer(worker, address, guarded(alpn, maxHead), socketOptions);
                watch(worker, tls.get(), ssl);
            } else {
                HttpOpenListener http = new HttpOpenListener(buffers, undertowOptions); // h2c by prior knowledge
                HttpHandler h2c = new Http2UpgradeHandler(root); // h2c by Upgrade
                // Only a request with an Upgrade can be one: the handler looks up HTTP2-Settings by a String name (a
                // new HttpString) on every request it sees.
                http.setRootHandler(new ReadInterest(exchange ->
                        (exchange.getRequestHeaders().contains(Headers.UPGRADE) ? h2c : root).handleRequest(exchange)));
                channel = worker.createStreamConnectionServer(address, guarded(http, maxHead), socketOptions);
            }
            channel.resumeAccepts();
            return new IngressListener(worker, channel, buffers);
        } catch (IOException e) {
            if (worker != null) {
                worker.shutdownNow();
            }
            buffers.close();
            throw new UncheckedIOException(e);
        }
    }

    /** Accepts, puts the bare-CR guard under the (decrypted) byte stream, then hands over to {@code open}. */
    private static <C extends StreamConnection> ChannelListener<AcceptingChannel<C>> guarded(OpenListener open, int maxHead) {
        return server -> {
            try {
                C connection = server.accept();
                if (connection != null) {
                    BareCrGuard.install(connection, maxHead);
                    open.handleEvent(connection);
                }
            } catch (IOException e) {
                LOG.debug("accept failed", e);
            }
        };
    }

    /** Checks the certificate files every second; a changed set that loads replaces the context for new handshakes. */
    private static void watch(XnioWorker worker, TlsSettings files, UndertowXnioSsl ssl) {
        String[] seen = {files.stamp()};
        worker.getIoThread().executeAtInterval(() -> {
            String now = files.stamp();
            if (now.equals(seen[0])) {
                return;
            }
            seen[0] = now;
            worker.execute(() -> {
                try {
                    ssl.updateSSLContext(files.sslContext());
                    LOG.info("TLS certificates reloaded (default {})", files.defaultCertificate().cert());
                } catch (IOException | RuntimeException e) {
                    LOG.warn("TLS certificate not reloaded, keeping the previous one: {}", e.getMessage());
                }
            });
        }, TLS_RELOAD_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

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
