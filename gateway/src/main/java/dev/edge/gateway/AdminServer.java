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
        return start(address, () -> registry, java.util.Optional.empty());
    }

    /**
     * @param registry the registry of the app generation serving now (a reload brings a new one)
     * @param kv       the {@code /kv/} endpoints on the app generation serving now, present only when an admin
     *                 token is configured
     */
    static AdminServer start(ListenAddress address, java.util.function.Supplier<PrometheusMeterRegistry> registry,
                             java.util.Optional<java.util.function.Supplier<AdminKvHandler>> kv) {
        Undertow undertow = Undertow.builder()
                .setIoThreads(1)
                .setWorkerThreads(2)
                .addHttpListener(address.port(), address.host())
                .setHandler(exchange -> {
                    if (exchange.getRequestPath().equals("/metrics")) {
                        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                        exchange.getResponseSender().send(registry.get().scrape());
                    } else if (kv.isPresent() && exchange.getRequestPath().startsWith(AdminKvHandler.PREFIX)) {
                        kv.get().get().handleRequest(exchange);
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
