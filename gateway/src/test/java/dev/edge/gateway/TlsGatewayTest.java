package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.routes.FreePort;
import dev.edge.routes.SelfSignedCert;
import dev.edge.routes.TlsFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edge up --tls-cert/--tls-key} (or SPIN_TLS_CERT/SPIN_TLS_KEY) end to end through the real main. */
class TlsGatewayTest {
    @TempDir
    static Path dir;
    private static SelfSignedCert cert;
    private static TlsFiles files;
    private static Path manifest;

    @BeforeAll
    static void setUp() throws Exception {
        cert = SelfSignedCert.create(dir, "edge-gateway");
        files = cert.writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        manifest = Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "tls"
                [[trigger.http]]
                route = "/hello"
                static_response = { status_code = 200, body = "hi" }
                """);
    }

    @Test
    void servesHttpsAndHttp2WithFlags() throws Exception {
        int port = FreePort.next();
        try (GatewayProcess gateway = GatewayProcess.start("up", "--from", manifest.toString(), "--listen",
                "127.0.0.1:" + port, "--tls-cert", files.cert().toString(), "--tls-key", files.key().toString())
                .awaitServing()) {
            assertThat(gateway.stdout()).contains("Serving https://127.0.0.1:" + port);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(SelfSignedCert.trusting(cert.certificate())).build();
            HttpRequest hello = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/hello"))
                    .timeout(Duration.ofSeconds(20)).build();
            HttpResponse<String> first = client.send(hello, HttpResponse.BodyHandlers.ofString());
            assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(first.body()).isEqualTo("hi");
            List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                streams.add(client.sendAsync(hello, HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> stream : streams) {
                assertThat(stream.join().body()).isEqualTo("hi");
            }
        }
    }

    @Test
    void takesTheCertificateFromSpinTlsVariables() throws Exception {
        int port = FreePort.next();
        try (GatewayProcess gateway = GatewayProcess.start(
                Map.of("SPIN_TLS_CERT", files.cert().toString(), "SPIN_TLS_KEY", files.key().toString()),
                "up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + port).awaitServing()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(SelfSignedCert.trusting(cert.certificate())).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/hello")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("hi");
        }
    }

    @Test
    void certWithoutKeyOrABadKeyIsOneLine() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EdgeMain.run(new String[] {"up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + FreePort.next(),
                "--tls-cert", files.cert().toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(1));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo("Error: --tls-cert and --tls-key (or SPIN_TLS_CERT and SPIN_TLS_KEY) go together");

        err.reset();
        code = EdgeMain.run(new String[] {"up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + FreePort.next(),
                "--tls-cert", files.cert().toString(), "--tls-key", files.cert().toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                new CountDownLatch(1));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).doesNotContain("\n")
                .startsWith("Error: cannot start: " + files.cert() + ": expected one unencrypted PEM PRIVATE KEY");
    }
}
