package dev.edge.routes;

import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientStatistics;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.HttpServerExchange;
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
import org.xnio.ChannelListener;
import org.xnio.Option;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * A {@link ProxyClient} whose connections send each request with exactly the headers {@link ProxyHeaders} decides:
 * {@link io.undertow.server.handlers.proxy.ProxyHandler} adds its own {@code X-Forwarded-*} (and keeps a client's
 * {@code X-Forwarded-Host}); the request it built is rewritten here, as it leaves, from the client's original
 * headers. Only the framing ({@code Content-Length}, {@code Transfer-Encoding}) is the proxy's, and {@code Host}
 * is the upstream's.
 */
final class RuledProxyClient implements ProxyClient {
    static final AttachmentKey<IngressRequest> HEAD = AttachmentKey.create(IngressRequest.class);
    private static final Set<String> SET_BY_PROXY = Set.of("host", "content-length", "transfer-encoding");

    private final ProxyClient delegate;
    private final ProxyHeaders rules;
    private final String host;

    RuledProxyClient(ProxyClient delegate, ProxyHeaders rules, URI base) {
        this.delegate = delegate;
        this.rules = rules;
        this.host = base.getRawAuthority();
    }

    @Override
    public ProxyTarget findTarget(HttpServerExchange exchange) {
        return delegate.findTarget(exchange);
    }

    @Override
    public List<ProxyTarget> getAllTargets() {
        return delegate.getAllTargets();
    }

    @Override
    public void getConnection(ProxyTarget target, HttpServerExchange exchange, ProxyCallback<ProxyConnection> callback,
                              long timeout, TimeUnit unit) {
        delegate.getConnection(target, exchange, new ProxyCallback<>() {
            @Override
            public void completed(HttpServerExchange ex, ProxyConnection connection) {
                callback.completed(ex, new ProxyConnection(new Ruled(connection.getConnection(), ex), connection.getTargetPath()));
            }

            @Override
            public void failed(HttpServerExchange ex) {
                callback.failed(ex);
            }

            @Override
            public void couldNotResolveBackend(HttpServerExchange ex) {
                callback.couldNotResolveBackend(ex);
            }

            @Override
            public void queuedRequestFailed(HttpServerExchange ex) {
                callback.queuedRequestFailed(ex);
            }
        }, timeout, unit);
    }

    /** The request's headers as ProxyHeaders decides, plus the proxy's framing and the upstream's Host. */
    void rewrite(ClientRequest request, IngressRequest head) {
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
        private final ClientConnection connection;
        private final HttpServerExchange exchange;

        Ruled(ClientConnection connection, HttpServerExchange exchange) {
            this.connection = connection;
            this.exchange = exchange;
        }

        @Override
        public void sendRequest(ClientRequest request, ClientCallback<ClientExchange> callback) {
            IngressRequest head = exchange.getAttachment(HEAD);
            if (head != null) {
                rewrite(request, head);
            }
            connection.sendRequest(request, new ClientCallback<>() {
                @Override
                public void completed(ClientExchange result) {
                    exchange.putAttachment(StreamingProxy.UPSTREAM, result);
                    callback.completed(result);
                }

                @Override
                public void failed(IOException e) {
                    callback.failed(e);
                }
            });
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
