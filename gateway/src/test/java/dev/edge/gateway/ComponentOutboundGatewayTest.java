package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.routes.FreePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A component's {@code allowed_outbound_hosts} under {@code edge up}, with a local upstream: entries are
 * {@code {{ variable }}} templates rendered as Spin renders them, and a request without an authority goes to
 * the app itself when {@code http://self} is allowed. The component is {@code http-forward.wat}: it answers
 * the upstream's status, 415 for Spin's {@code HTTP-request-denied}.
 */
class ComponentOutboundGatewayTest {
    private static final Path FORWARD = Path.of("../component/src/test/resources/components/http-forward.wasm");
    private static final Path HELLO = Path.of("../examples/hello-world/target/hello-world.wasm");
    private static final int DENIED = 400 + 15;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    @Test
    void templatedHostsAreRenderedAndSelfRequestsReachTheApp() throws Exception {
        try (EchoUpstream upstream = new EchoUpstream("upstream")) {
            Path app = Files.createDirectories(temp.resolve("app"));
            Files.copy(FORWARD, app.resolve("forward.wasm"));
            Files.copy(HELLO, app.resolve("hello.wasm"));
            Path manifest = Files.writeString(app.resolve("spin.toml"), """
                    spin_manifest_version = 2
                    [application]
                    name = "outbound"
                    [variables]
                    upstream = { default = "127.0.0.1:%d" }
                    [[trigger.http]]
                    route = "/forward"
                    component = "forward"
                    [[trigger.http]]
                    route = "/forward-no-self"
                    component = "forward-no-self"
                    [[trigger.http]]
                    route = "/hello"
                    component = "hello"
                    [component.forward]
                    source = "forward.wasm"
                    allowed_outbound_hosts = ["http://{{ upstream }}", "http://self"]
                    [component.forward-no-self]
                    source = "forward.wasm"
                    allowed_outbound_hosts = ["http://{{ upstream }}"]
                    [component.hello]
                    source = "hello.wasm"
                    """.formatted(upstream.port()));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp edge = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), null, null,
                    List.of()))) {
                assertThat(forward(listen, "/forward", "127.0.0.1:" + upstream.port())).isEqualTo(200);
                assertThat(upstream.requests()).isEqualTo(1);
                assertThat(upstream.lastHeaders().getFirst("host")).isEqualTo("127.0.0.1:" + upstream.port());

                int otherPort = FreePort.next();
                assertThat(forward(listen, "/forward", "127.0.0.1:" + otherPort)).isEqualTo(DENIED);
                assertThat(forward(listen, "/forward", "localhost:" + upstream.port())).isEqualTo(DENIED);
                assertThat(upstream.requests()).as("refused before anything is sent").isEqualTo(1);

                // GET /hello without an authority: the app's own listener, then the hello component
                assertThat(forward(listen, "/forward", null)).isEqualTo(200);
                assertThat(forward(listen, "/forward-no-self", null)).isEqualTo(DENIED);
                assertThat(forward(listen, "/forward-no-self", "127.0.0.1:" + upstream.port())).isEqualTo(200);
            }
        }
    }

    private int forward(ListenAddress listen, String route, String target) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(listen.baseUrl() + route))
                .timeout(Duration.ofSeconds(30));
        if (target != null) {
            request.header("x-target", target);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
