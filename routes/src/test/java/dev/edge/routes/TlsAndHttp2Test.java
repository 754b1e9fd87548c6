package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.edge.wasm.GuestResponse;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination with PEM files (certificate made by keytool for this test), HTTP/2 over TLS by ALPN and in clear
 * text (h2c), many concurrent streams on one connection, and certificate reload when the files change.
 */
class TlsAndHttp2Test {
    private static final int STREAMS = IngressListener.MAX_CONCURRENT_STREAMS;
    @TempDir
    static Path dir;
    private static SelfSignedCert first;
    /** Written over the served files by the reload test; clients trust both, as tests run in any order. */
    private static SelfSignedCert next;
    private static TlsFiles files;
    private static IngressServer tls;
    private static IngressServer clear;
    private static int tlsPort;
    private static int clearPort;

    @BeforeAll
    static void start() throws Exception {
        first = SelfSignedCert.create(dir, "edge-first");
        next = SelfSignedCert.create(dir, "edge-second");
        files = first.writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        SpinDispatcher dispatcher = JavaGuest.catchAll("tls", TlsAndHttp2Test::describe);
        tlsPort = FreePort.next();
        tls = IngressServer.start("127.0.0.1", tlsPort, HttpLimits.defaults(), Optional.of(TlsSettings.of(files)), dispatcher);
        clearPort = FreePort.next();
        clear = IngressServer.start("127.0.0.1", clearPort, HttpLimits.defaults(), dispatcher);
    }

    @AfterAll
    static void stop() {
        for (IngressServer server : new IngressServer[] {tls, clear}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void http11OverTls() throws Exception {
        HttpClient client = client(HttpClient.Version.HTTP_1_1, first.certificate(), next.certificate());
        HttpResponse<String> response = client.send(get("https", tlsPort, "/one"), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(response.body()).startsWith("HTTP/1.1 https ");
    }

    @Test
    void http2OverTlsCarriesManyConcurrentStreamsOnOneConnection() throws Exception {
        assertManyStreamsOnOneConnection(client(HttpClient.Version.HTTP_2, first.certificate(), next.certificate()), "https", tlsPort);
    }

    @Test
    void h2cByUpgradeCarriesManyConcurrentStreamsOnOneConnection() throws Exception {
        // the first request upgrades the connection (Upgrade: h2c), the rest are streams on it
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        assertManyStreamsOnOneConnection(client, "http", clearPort);
    }

    /** HTTP/2 frames the body by its stream, not by Content-Length: a body of unknown length arrives whole. */
    @Test
    void http2BodiesWithoutContentLengthReachTheHandler() throws Exception {
        byte[] body = new byte[300_000];
        java.util.Arrays.fill(body, (byte) 'b');
        for (HttpClient client : List.of(HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build(),
                client(HttpClient.Version.HTTP_2, first.certificate(), next.certificate()))) {
            String scheme = client.sslContext() == SSLContext.getDefault() ? "http" : "https";
            int port = scheme.equals("http") ? clearPort : tlsPort;
            client.send(get(scheme, port, "/warm"), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/b"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.body()).as(scheme).endsWith(" /b body=" + body.length);
        }
    }

    @Test
    void h2cByPriorKnowledgeIsAnsweredWithServerSettings() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", clearPort)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
            out.flush();
            byte[] frameHeader = new byte[9];
            new DataInputStream(socket.getInputStream()).readFully(frameHeader);
            assertThat(frameHeader[3]).as("frame type SETTINGS").isEqualTo((byte) 4);
        }
    }

    @Test
    void bareCrIsRefusedOverTlsToo() throws Exception {
        SSLContext trust = SelfSignedCert.trusting(first.certificate(), next.certificate());
        try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\nX-User: a\rX-Admin: true\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            byte[] status = new byte[12];
            new DataInputStream(socket.getInputStream()).readFully(status);
            assertThat(new String(status, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 400");
        }
    }

    @Test
    void certificateIsReloadedWhenTheFilesChange() throws Exception {
        X509Certificate reloaded = reloadedCert();
        SSLContext trustBoth = SelfSignedCert.trusting(first.certificate(), reloaded);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(servedCertificate(trustBoth).getSubjectX500Principal().getName()).isEqualTo("CN=edge-second"));
        // a client that trusts only the new certificate is served, over HTTP/2
        HttpResponse<String> response = client(HttpClient.Version.HTTP_2, reloaded)
                .send(get("https", tlsPort, "/after"), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void unusableCertificateOrKeyFailsStartNamingTheFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        assertThatThrownBy(() -> IngressServer.start("127.0.0.1", FreePort.next(), HttpLimits.defaults(),
                Optional.of(TlsSettings.of(new TlsFiles(empty, files.key()))), null))
                .isInstanceOf(IOException.class).hasMessage(empty + ": no PEM CERTIFICATE block");
        assertThatThrownBy(() -> IngressServer.start("127.0.0.1", FreePort.next(), HttpLimits.defaults(),
                Optional.of(TlsSettings.of(new TlsFiles(files.cert(), empty))), null))
                .isInstanceOf(IOException.class).hasMessageStartingWith(empty + ": expected one unencrypted PEM PRIVATE KEY");
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> IngressServer.start("127.0.0.1", FreePort.next(), HttpLimits.defaults(),
                Optional.of(TlsSettings.of(new TlsFiles(missing, files.key()))), null))
                .isInstanceOf(IOException.class).hasMessageStartingWith(missing + ": cannot read");
    }

    /** Replaces the served files with the second certificate. */
    private static X509Certificate reloadedCert() throws Exception {
        next.writePem(files.cert(), files.key());
        return next.certificate();
    }

    private static X509Certificate servedCertificate(SSLContext trust) throws IOException {
        try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static void assertManyStreamsOnOneConnection(HttpClient client, String scheme, int port) throws Exception {
        // one request first: the JDK client opens a connection per request until one has been set up
        assertThat(client.send(get(scheme, port, "/warm"), HttpResponse.BodyHandlers.ofString()).version())
                .isEqualTo(HttpClient.Version.HTTP_2);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            answers.add(client.sendAsync(get(scheme, port, "/s/" + i), HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> clients = answers.stream().map(CompletableFuture::join).map(response -> {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.body()).startsWith("HTTP/2.0 " + scheme + " ").endsWith(response.uri().getPath());
            return response.body().split(" ")[2];
        }).collect(Collectors.toSet());
        assertThat(clients).as("client address and port of every stream").hasSize(1);
    }

    private static HttpClient client(HttpClient.Version version, X509Certificate... trusted) throws Exception {
        return HttpClient.newBuilder().version(version).sslContext(SelfSignedCert.trusting(trusted)).build();
    }

    private static HttpRequest get(String scheme, int port, String path) {
        return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build();
    }

    /** Answers "protocol scheme client-address path", then " body=<length>" if there is a body. */
    private static GuestResponse describe(dev.edge.wasm.GuestRequest request) {
        String fullUrl = request.header("spin-full-url");
        String scheme = fullUrl.substring(0, fullUrl.indexOf("://"));
        String path = request.uri().contains("?") ? request.uri().substring(0, request.uri().indexOf('?')) : request.uri();
        String text = request.protocol() + " " + scheme + " " + request.clientAddr() + " " + path
                + (request.body().length > 0 ? " body=" + request.body().length : "");
        return new GuestResponse(200, List.of(), text.getBytes(StandardCharsets.UTF_8));
    }
}
