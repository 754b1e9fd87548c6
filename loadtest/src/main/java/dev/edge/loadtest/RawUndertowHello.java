package dev.edge.loadtest;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The peer every gateway figure is compared with: Undertow's hello world with a 40-byte body, the same
 * size as the tutorial's {@code GET /get/rs}, answered on the IO thread, or with {@code dispatch} on a
 * worker thread as camel-undertow does (which separates the cost of the thread hand-off from Camel's).
 * Usage: {@code java -cp loadtest/target/benchmarks.jar dev.edge.loadtest.RawUndertowHello 127.0.0.1 8081 [dispatch]}
 */
public final class RawUndertowHello {
    private static final ByteBuffer BODY = ByteBuffer.allocateDirect(40)
            .put("{\"firstName\":\"River\",\"lastName\":\"Scott\"}".getBytes(StandardCharsets.US_ASCII))
            .flip();

    private RawUndertowHello() {}

    public static void main(String[] args) {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8081;
        boolean dispatch = args.length > 2 && args[2].equals("dispatch");
        HttpHandler hello = exchange -> {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getResponseSender().send(BODY.duplicate());
        };
        Undertow.builder()
                .addHttpListener(port, host)
                .setHandler(dispatch ? exchange -> exchange.dispatch(hello) : hello)
                .build()
                .start();
        System.out.println("raw undertow on http://" + host + ":" + port);
    }
}
