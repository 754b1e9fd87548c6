package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** At the connection cap the listener stops accepting; a waiting client is served once a connection closes. */
class ConnectionLimitTest {
    @Test
    void clientsPastTheCapWaitUntilAConnectionCloses() throws Exception {
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/hello", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "hi")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(), List.of(), "cap", "1", null);
        int port = FreePort.next();
        int cap = 4;
        List<RawHttp> open = new ArrayList<>();
        try (IngressServer server = IngressServer.start("127.0.0.1", port,
                HttpLimits.withMaxRequestBody(1024).withMaxConnections(cap), dispatcher)) {
            int served = 0;
            RawHttp waiting = null;
            for (int i = 0; i < cap * 3 && waiting == null; i++) {
                RawHttp http = new RawHttp(port);
                open.add(http);
                http.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                try {
                    http.setTimeout(1500);
                    assertThat(http.readReply().status()).isEqualTo(200);
                    served++;
                } catch (AssertionError | SocketTimeoutException e) {
                    waiting = http;
                }
            }
            assertThat(waiting).as("a client past the cap waits").isNotNull();
            assertThat(served).isGreaterThanOrEqualTo(1).isLessThanOrEqualTo(cap);
            for (RawHttp http : open) {
                if (http != waiting) {
                    http.close();
                }
            }
            waiting.setTimeout(10_000);
            assertThat(waiting.readReply().status()).isEqualTo(200);
        } finally {
            for (RawHttp http : open) {
                http.close();
            }
        }
    }
}
