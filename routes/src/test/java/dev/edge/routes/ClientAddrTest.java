package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.wasm.GuestResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A guest sees its own client's address ({@code spin-client-addr}), on every request of a keep-alive connection and
 * whichever other connections came between: the ingress makes the text once per connection and keeps it there.
 */
class ClientAddrTest {
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, 1 << 20, JavaGuest.catchAll("addr", request -> {
            String header = request.headers().stream().filter(h -> h.getKey().equals("spin-client-addr"))
                    .map(java.util.Map.Entry::getValue).findFirst().orElse("none");
            return new GuestResponse(200, List.of(),
                    ("[" + request.clientAddr() + "|" + header + "]").getBytes(StandardCharsets.UTF_8));
        }));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void eachKeepAliveConnectionKeepsItsOwnAddress() throws Exception {
        try (RawHttp first = new RawHttp(port); RawHttp second = new RawHttp(port)) {
            for (int round = 0; round < 3; round++) {
                for (RawHttp client : List.of(first, second)) {
                    client.send("GET /who HTTP/1.1\r\nHost: localhost\r\n\r\n");
                    RawHttp.Reply reply = client.readReply();
                    assertThat(reply.status()).isEqualTo(200);
                    String expected = "127.0.0.1:" + client.localPort();
                    assertThat(reply.text()).endsWith("[" + expected + "|" + expected + "]");
                }
            }
            assertThat(first.localPort()).isNotEqualTo(second.localPort());
        }
    }
}
