package dev.edge.loadtest;

import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The peer every gateway figure is compared with: Undertow's hello world, answered on the IO thread
 * with a 40-byte body, the same size as the tutorial's {@code GET /get/rs}.
 * Usage: {@code java -cp loadtest/target/benchmarks.jar dev.edge.loadtest.RawUndertowHello 127.0.0.1 8081}
 */
public final class RawUndertowHello {
    private static final ByteBuffer BODY = ByteBuffer.allocateDirect(40)
            .put("{\"firstName\":\"River\",\"lastName\":\"Scott\"}".getBytes(StandardCharsets.US_ASCII))
            .flip();

    private RawUndertowHello() {}

    public static void main(String[] args) {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8081;
        Undertow.builder()
                .addHttpListener(port, host)
                .setHandler(exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                    exchange.getResponseSender().send(BODY.duplicate());
                })
                .build()
                .start();
        System.out.println("raw undertow on http://" + host + ":" + port);
    }
}
