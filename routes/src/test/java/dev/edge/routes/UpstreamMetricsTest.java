package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.config.UpstreamPoolConfig;
import dev.edge.config.UpstreamPoolConfig.Ejection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The per-upstream and per-target meters, read after real requests through a pool with a dead target. */
class UpstreamMetricsTest {
    private static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();
    private static RawUpstream ok;
    private static URI dead;
    private static IngressServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        ok = new RawUpstream(RawUpstream.answering(200, "ok"));
        dead = URI.create("http://127.0.0.1:" + FreePort.next());
        // The dead target first: the first request finds it refusing, retries on ok, and ejects it.
        UpstreamPoolConfig pool = UpstreamPoolConfig.of("api", List.of(dead, ok.url()))
                .withEjection(new Ejection(1, Duration.ofSeconds(60)));
        StreamingProxy proxy = new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30), Map.of("api", pool),
                REGISTRY);
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/...", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "from manifest")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(),
                List.of(new ProxyStage(List.of(ProxyRoute.parse("/api/...=upstream:api")), proxy)), "p", "1", null);
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        ok.close();
    }

    @Test
    void triesRetriesEjectionsHealthAndConnectionsAreMeteredPerUpstreamAndTarget() throws Exception {
        for (int i = 0; i < 4; i++) {
            try (RawHttp http = new RawHttp(port)) { // one client connection: its requests reuse one upstream connection
                http.send("GET /api/x HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n");
                assertThat(http.readReply().status()).isEqualTo(200);
            }
        }
        String okTarget = ok.url() + "/";
        String deadTarget = dead + "/";
        assertThat(REGISTRY.get(UpstreamMetrics.TRIES).tags("upstream", "api", "target", okTarget, "outcome", "2xx")
                .timer().count()).isEqualTo(4);
        assertThat(REGISTRY.get(UpstreamMetrics.TRIES).tags("upstream", "api", "target", deadTarget,
                "outcome", "connect-failure").timer().count()).isEqualTo(1);
        assertThat(REGISTRY.get(UpstreamMetrics.RETRIES).tags("upstream", "api").counter().count()).isEqualTo(1);
        assertThat(REGISTRY.get(UpstreamMetrics.EJECTIONS).tags("target", deadTarget, "cause", "passive").counter()
                .count()).isEqualTo(1);
        assertThat(REGISTRY.get(UpstreamMetrics.TARGET_UP).tags("target", deadTarget).gauge().value()).isZero();
        assertThat(REGISTRY.get(UpstreamMetrics.TARGET_UP).tags("target", okTarget).gauge().value()).isEqualTo(1);
        assertThat(REGISTRY.get(UpstreamMetrics.OPEN_CONNECTIONS).tags("target", okTarget).gauge().value())
                .as("kept alive in the pool").isGreaterThanOrEqualTo(1);
        assertThat(REGISTRY.get(UpstreamMetrics.REJECTED).tags("upstream", "api", "reason", "no_target").counter()
                .count()).isZero();
    }
}
