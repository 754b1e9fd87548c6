package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The listener runs as many XNIO IO threads (event loops) as {@link HttpLimits#ioThreads()} says, and serves on them. */
class IoThreadsTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void theListenerRunsTheConfiguredNumberOfIoThreads(int threads) throws Exception {
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/hello", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "hi")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(), List.of(), "io", "1", null);
        Set<String> before = XnioThreads.ioThreadNames();
        int port = FreePort.next();
        try (IngressServer server = IngressServer.start("127.0.0.1", port,
                HttpLimits.withMaxRequestBody(1024).withIoThreads(threads), dispatcher)) {
            for (int i = 0; i < 4; i++) { // connections are spread over the IO threads; each is served
                try (RawHttp http = new RawHttp(port)) {
                    http.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(http.readReply().status()).isEqualTo(200);
                }
            }
            Set<String> started = XnioThreads.ioThreadNames();
            started.removeAll(before);
            assertThat(started).as("IO threads the listener started").hasSize(threads);
        }
    }
}
