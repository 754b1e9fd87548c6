package dev.edge.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;

/**
 * The optional admin listener ({@code --admin-listen}): Prometheus text at {@code /metrics}, and with an admin
 * token the key-value endpoints ({@link AdminKvHandler}), on its own port so it can never collide with an
 * application's routes.
 */
final class AdminServer implements AutoCloseable {
    private final Undertow undertow;

    private AdminServer(Undertow undertow) {
        this.undertow = undertow;
    }

    static AdminServer start(ListenAddress address, PrometheusMeterRegistry registry) {
        return start(address, registry, java.util.Optional.empty());
    }

    /** @param kv the {@code /kv/} endpoints, present only when an admin token is configured */
    static AdminServer start(ListenAddress address, PrometheusMeterRegistry registry,
                             java.util.Optional<AdminKvHandler> kv) {
        Undertow undertow = Undertow.builder()
                .setIoThreads(1)
                .setWorkerThreads(2)
                .addHttpListener(address.port(), address.host())
                .setHandler(exchange -> {
                    if (exchange.getRequestPath().equals("/metrics")) {
                        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                        exchange.getResponseSender().send(registry.scrape());
                    } else if (kv.isPresent() && exchange.getRequestPath().startsWith(AdminKvHandler.PREFIX)) {
                        kv.get().handleRequest(exchange);
                    } else {
                        exchange.setStatusCode(404);
                        exchange.endExchange();
                    }
                })
                .build();
        undertow.start();
        return new AdminServer(undertow);
    }

    int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    @Override
    public void close() {
        undertow.stop();
    }
}
