package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edge up --tls-cert/--tls-key} (or SPIN_TLS_CERT/SPIN_TLS_KEY) and the runtime config's {@code [listener]}
 * (certificates by SNI name, minimum version) end to end through the real main.
 */
class TlsGatewayTest {
    @TempDir
    static Path dir;
    private static SelfSignedCert cert;
    private static TlsFiles files;
    private static Path manifest;
    private static SelfSignedCert a;
    private static SelfSignedCert b;
    /** [listener] with a certificate for a.example and one for *.b.example, TLS 1.3 only. */
    private static Path listenerConfig;

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
        a = SelfSignedCert.create(dir, "edge-a");
        b = SelfSignedCert.create(dir, "edge-b");
        a.writePem(dir.resolve("a.pem"), dir.resolve("a.key"));
        b.writePem(dir.resolve("b.pem"), dir.resolve("b.key"));
        listenerConfig = Files.writeString(dir.resolve("runtime-config.toml"), """
                [listener]
                min_tls_version = "1.3"

                [[listener.certificate]]
                cert = "a.pem"
                key = "a.key"
                server_names = ["a.example"]

                [[listener.certificate]]
                cert = "b.pem"
                key = "b.key"
                server_names = ["*.b.example"]
                """);
    }

    @Test
    void listenerCertificatesAreChosenBySniAndTheMinimumVersionHolds() throws Exception {
        int port = FreePort.next();
        try (GatewayProcess gateway = GatewayProcess.start("up", "--from", manifest.toString(), "--listen",
                "127.0.0.1:" + port, "--runtime-config-file", listenerConfig.toString(),
                "--tls-cert", files.cert().toString(), "--tls-key", files.key().toString()).awaitServing()) {
            assertThat(servedName(port, "a.example", "TLSv1.3")).isEqualTo("CN=edge-a");
            assertThat(servedName(port, "www.b.example", "TLSv1.3")).isEqualTo("CN=edge-b");
            assertThat(servedName(port, "other.example", "TLSv1.3")).isEqualTo("CN=edge-gateway");
            assertThat(servedName(port, null, "TLSv1.3")).isEqualTo("CN=edge-gateway");
            assertThatThrownBy(() -> servedName(port, "a.example", "TLSv1.2")).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void withoutTlsFlagsTheFirstListenerCertificateIsTheDefault() throws Exception {
        int port = FreePort.next();
        try (GatewayProcess gateway = GatewayProcess.start("up", "--from", manifest.toString(), "--listen",
                "127.0.0.1:" + port, "--runtime-config-file", listenerConfig.toString()).awaitServing()) {
            assertThat(gateway.stdout()).contains("Serving https://127.0.0.1:" + port);
            assertThat(servedName(port, "other.example", "TLSv1.3")).isEqualTo("CN=edge-a");
            assertThat(servedName(port, "x.b.example", "TLSv1.3")).isEqualTo("CN=edge-b");
        }
    }

    @Test
    void badListenerSettingsAreOneLineForUpAndCheck() throws Exception {
        Path tuningOnly = Files.writeString(dir.resolve("tuning-only.toml"), "[listener]\nmin_tls_version = \"1.3\"\n");
        assertThat(run("up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + FreePort.next(),
                "--runtime-config-file", tuningOnly.toString())).isEqualTo(tuningOnly + ": listener: min_tls_version"
                + " and ciphers need a certificate: give --tls-cert and --tls-key, or a [[listener.certificate]]");

        Path badCipher = Files.writeString(dir.resolve("bad-cipher.toml"), "[listener]\nciphers = [\"RC4\"]\n");
        String cipherError = badCipher + ": listener.ciphers[0]: 'RC4' is not a cipher suite this JDK supports"
                + " (names as in IANA, e.g. TLS_AES_128_GCM_SHA256)";
        assertThat(run("check", "--from", manifest.toString(), "--runtime-config-file", badCipher.toString()))
                .isEqualTo(cipherError);
        assertThat(run("up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + FreePort.next(),
                "--runtime-config-file", badCipher.toString())).isEqualTo(cipherError);

        Path badPem = Files.writeString(dir.resolve("bad-pem.toml"), "[[listener.certificate]]\ncert = \"a.key\"\n"
                + "key = \"a.key\"\nserver_names = [\"a.example\"]\n");
        assertThat(run("check", "--from", manifest.toString(), "--runtime-config-file", badPem.toString()))
                .isEqualTo("Error: cannot start: " + dir.resolve("a.key") + ": no PEM CERTIFICATE block");
    }

    /** Runs the real main; returns what it printed on stderr, which must be one line, after a non-zero exit. */
    private static String run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EdgeMain.run(args, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(1));
        assertThat(code).isEqualTo(1);
        String text = err.toString(StandardCharsets.UTF_8).strip();
        assertThat(text).doesNotContain("\n");
        return text;
    }

    /** The subject of the certificate served to a client asking for {@code sni} (null: none) over {@code protocol}. */
    private static String servedName(int port, String sni, String protocol) throws Exception {
        SSLContext client = SelfSignedCert.trusting(cert.certificate(), a.certificate(), b.certificate());
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            if (sni != null) {
                parameters.setServerNames(List.of(new SNIHostName(sni)));
            }
            parameters.setProtocols(new String[] {protocol});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
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
