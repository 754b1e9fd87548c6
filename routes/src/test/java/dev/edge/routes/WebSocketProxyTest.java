package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A WebSocket through the proxy: Upgrade is hop-by-hop, yet the handshake and the frames must pass. */
class WebSocketProxyTest {
    private static Undertow upstream;
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        int upstreamPort = FreePort.next();
        upstream = Undertow.builder().addHttpListener(upstreamPort, "127.0.0.1")
                .setHandler(Handlers.websocket((exchange, channel) -> {
                    String path = exchange.getRequestURI();
                    channel.getReceiveSetter().set(new AbstractReceiveListener() {
                        @Override
                        protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                            WebSockets.sendText(path + " echo " + message.getData(), ch, null);
                        }
                    });
                    channel.resumeReceives();
                })).build();
        upstream.start();
        ProxyStage proxy = new ProxyStage(List.of(ProxyRoute.parse("/ws/...=http://127.0.0.1:" + upstreamPort + "/base")),
                new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(10)));
        port = FreePort.next();
        server = ProxyFixture.serve(proxy, port);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (upstream != null) {
            upstream.stop();
        }
    }

    @Test
    void aWebSocketEchoesThroughTheProxy() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/chat"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("/base/chat echo hello");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
    }
}
