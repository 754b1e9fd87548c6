package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.routes.FreePort;
import dev.edge.routes.RawHttp;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start and stop of the real gateway process: addresses in use, SIGTERM drain with a runaway guest. */
class GatewayLifecycleTest {
    private static final Path TUTORIAL = Path.of("../examples/hello-key-value-store/spin.toml").toAbsolutePath().normalize();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    @Test
    void anAddressInUseIsOneLineAndExitCode1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            try (GatewayProcess gateway = GatewayProcess.start("up", "--from", TUTORIAL.toString(),
                    "--listen", "127.0.0.1:" + port, "--state-dir", temp.resolve("a").toString())) {
                assertThat(gateway.awaitExit()).isEqualTo(1);
                assertOutput(gateway, "cannot listen on 127.0.0.1:" + port + ": address already in use");
            }
            try (GatewayProcess gateway = GatewayProcess.start("up", "--from", TUTORIAL.toString(),
                    "--listen", "127.0.0.1:" + FreePort.next(), "--admin-listen", "127.0.0.1:" + port,
                    "--state-dir", temp.resolve("b").toString())) {
                assertThat(gateway.awaitExit()).isEqualTo(1);
                assertOutput(gateway, "cannot listen on 127.0.0.1:" + port + ": address already in use");
            }
        }
    }

    private static void assertOutput(GatewayProcess gateway, String line) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(gateway.stderr()).containsExactly(line));
        assertThat(gateway.stdout()).noneMatch(l -> l.startsWith("Serving") || l.contains("\tat ") || l.contains("Exception"));
    }

    @Test
    void sigtermAnswers503WhileDrainingAndExitsWithinTheDrainDespiteARunawayGuest() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "drain",
                TestApps.component("/loop", "loop", TestApps.wasmExecGuest("loop")) + """
                        [[trigger.http]]
                        route = "/static"
                        static_response = { status_code = 200, body = "ok" }
                        """);
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [guest_limits]
                request_timeout = "60s"
                """);
        int port = FreePort.next();
        int admin = FreePort.next();
        try (GatewayProcess gateway = GatewayProcess.start("up", "--from", manifest.toString(),
                "--listen", "127.0.0.1:" + port, "--admin-listen", "127.0.0.1:" + admin,
                "--runtime-config-file", runtimeConfig.toString(), "--state-dir", temp.resolve("state").toString(),
                "--drain-timeout", "3s").awaitServing();
                RawHttp runaway = new RawHttp(port)) {
            runaway.send("GET /loop HTTP/1.1\r\nHost: x\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + admin + "/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                    .body().contains("edge_http_requests_in_flight 1.0"));

            long sigterm = System.nanoTime();
            gateway.sigterm();
            AtomicReference<RawHttp.Reply> refused = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20)).until(() -> {
                RawHttp.Reply reply = RawHttp.exchange(port, "GET /static HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(reply.status()).as(reply.text()).isIn(200, 503);
                refused.set(reply);
                return reply.status() == 503;
            });
            assertThat(refused.get().text().toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
            RawHttp.Reply post = RawHttp.exchange(port, "POST /static HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertThat(post.status()).as("never a routing answer while draining").isEqualTo(503);

            assertThat(gateway.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            long exitedMs = (System.nanoTime() - sigterm) / 1_000_000;
            assertThat(exitedMs).as("ms from SIGTERM to exit (drain 3 s + 1 s at most); stderr %s", gateway.stderr())
                    .isLessThan(4_000);
            assertThat(gateway.stderr()).noneMatch(l -> l.contains("InterruptedException") || l.contains("\tat "));
            // the output pipes stay open after SIGTERM (GatewayProcess.sigterm); the reader may still be at the end
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(gateway.stderr())
                    .as("the drain's one line").anyMatch(l -> l.endsWith(
                            "Drain timed out after 3000 ms with 1 request(s) still in flight; closing anyway")));
        }
    }
}
