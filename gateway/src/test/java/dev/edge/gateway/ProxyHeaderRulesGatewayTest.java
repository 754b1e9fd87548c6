package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.routes.FreePort;
import dev.edge.routes.ProxyRoute;
import dev.edge.routes.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [proxy] trust_forwarded} from runtime-config.toml reaches both kinds of proxying, which apply the
 * same header rules: a kv route's upstream and a {@code --proxy} upstream see the same headers.
 */
class ProxyHeaderRulesGatewayTest {
    @TempDir
    Path temp;

    @Test
    void kvRoutesAndProxyRoutesShareTheHeaderRulesAndTheTrustSetting() throws Exception {
        try (EchoUpstream upstream = new EchoUpstream("u")) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [proxy]
                    trust_forwarded = ["127.0.0.0/8"]

                    [[kv_route]]
                    route = "/kv/..."
                    key = "absent"
                    default_upstream = "%s"
                    allowed_upstreams = []
                    """.formatted(upstream.url()));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(KvRoutingGatewayTest.staticManifest(temp), listen,
                    temp.resolve("state"), runtimeConfig, null,
                    List.of(ProxyRoute.parse("/px/...=" + upstream.url()))))) {
                for (String path : List.of("/kv/a", "/px/a")) {
                    RawHttp.Reply reply = RawHttp.exchange(listen.port(), "GET " + path + " HTTP/1.1\r\nHost: edge.test\r\n"
                            + "Connection: close, x-secret\r\nX-Secret: s\r\nX-Forwarded-Host: public.test\r\n"
                            + "X-Forwarded-For: 203.0.113.7\r\n\r\n");
                    assertThat(reply.status()).as(path).isEqualTo(200);
                    assertThat(upstream.lastHeaders().containsKey("x-secret")).as(path).isFalse();
                    assertThat(upstream.lastHeaders().getFirst("x-forwarded-host")).as(path).isEqualTo("public.test");
                    assertThat(upstream.lastHeaders().getFirst("x-forwarded-for")).as(path).isEqualTo("203.0.113.7, 127.0.0.1");
                    assertThat(upstream.lastHeaders().getFirst("x-forwarded-proto")).as(path).isEqualTo("http");
                }
            }
        }
    }
}
