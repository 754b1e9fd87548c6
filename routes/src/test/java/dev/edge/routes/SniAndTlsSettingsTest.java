package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.edge.wasm.GuestResponse;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TlsSettings}: certificates chosen by the client's SNI name (self-signed, made by keytool for this test),
 * all of them reloaded when their files change, a minimum TLS version and a cipher list.
 */
class SniAndTlsSettingsTest {
    private static final String CIPHER = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    @TempDir
    static Path dir;
    private static SelfSignedCert fallback;
    private static SelfSignedCert a;
    private static SelfSignedCert b;
    private static SelfSignedCert renewedA;
    private static TlsFiles aFiles;
    private static IngressServer bySni;
    private static IngressServer tls13Only;
    private static IngressServer oneCipher;
    private static final Map<IngressServer, Integer> PORTS = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        fallback = SelfSignedCert.create(dir, "edge-default");
        a = SelfSignedCert.create(dir, "edge-a");
        b = SelfSignedCert.create(dir, "edge-b");
        renewedA = SelfSignedCert.create(dir, "edge-a-renewed");
        TlsFiles fallbackFiles = fallback.writePem(dir.resolve("default.pem"), dir.resolve("default.key"));
        aFiles = a.writePem(dir.resolve("a.pem"), dir.resolve("a.key"));
        TlsFiles bFiles = b.writePem(dir.resolve("b.pem"), dir.resolve("b.key"));
        SpinDispatcher ok = JavaGuest.catchAll("sni", request ->
                new GuestResponse(200, List.of(), "ok".getBytes(StandardCharsets.UTF_8)));
        bySni = start(new TlsSettings(fallbackFiles, List.of(new TlsSettings.Named(aFiles, List.of("a.example")),
                new TlsSettings.Named(bFiles, List.of("*.b.example"))), Optional.empty(), List.of()), ok);
        tls13Only = start(new TlsSettings(fallbackFiles, List.of(), Optional.of("TLSv1.3"), List.of()), ok);
        oneCipher = start(new TlsSettings(fallbackFiles, List.of(), Optional.of("TLSv1.2"), List.of(CIPHER)), ok);
    }

    private static IngressServer start(TlsSettings settings, SpinDispatcher dispatcher) throws Exception {
        int port = FreePort.next();
        IngressServer server = IngressServer.start("127.0.0.1", port, HttpLimits.defaults(), Optional.of(settings),
                dispatcher);
        PORTS.put(server, port);
        return server;
    }

    @AfterAll
    static void stop() {
        for (IngressServer server : new IngressServer[] {bySni, tls13Only, oneCipher}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void theClientsServerNameChoosesTheCertificate() throws Exception {
        assertThat(servedName(bySni, "b.x.example")).isEqualTo("CN=edge-default");
        assertThat(servedName(bySni, "x.b.example")).isEqualTo("CN=edge-b");
        assertThat(servedName(bySni, "deep.x.b.example")).isEqualTo("CN=edge-b");
        assertThat(servedName(bySni, "b.example")).as("a wildcard needs a label in front").isEqualTo("CN=edge-default");
        assertThat(servedName(bySni, "unknown.example")).isEqualTo("CN=edge-default");
        assertThat(servedName(bySni, null)).as("no SNI").isEqualTo("CN=edge-default");
        // the default's assertions above and a's below are independent of the reload test's order
        assertThat(servedName(bySni, "A.Example")).isIn("CN=edge-a", "CN=edge-a-renewed");
    }

    @Test
    void aRequestIsAnsweredOverTheChosenCertificate() throws Exception {
        try (SSLSocket socket = handshake(bySni, "x.b.example", null, null)) {
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x.b.example\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] status = new byte[12];
            new DataInputStream(socket.getInputStream()).readFully(status);
            assertThat(new String(status, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
        }
    }

    @Test
    void aCertificateChosenByNameIsReloadedWhenItsFilesChange() throws Exception {
        renewedA.writePem(aFiles.cert(), aFiles.key());
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(servedName(bySni, "a.example")).isEqualTo("CN=edge-a-renewed"));
        assertThat(servedName(bySni, "other.example")).isEqualTo("CN=edge-default");
    }

    @Test
    void aTls12ClientIsRefusedWhenTheMinimumIs13() throws Exception {
        assertThatThrownBy(() -> handshake(tls13Only, null, new String[] {"TLSv1.2"}, null).close())
                .isInstanceOf(SSLHandshakeException.class);
        try (SSLSocket socket = handshake(tls13Only, null, new String[] {"TLSv1.2", "TLSv1.3"}, null)) {
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        try (SSLSocket socket = handshake(bySni, null, new String[] {"TLSv1.2"}, null)) {
            assertThat(socket.getSession().getProtocol()).as("the JDK's default still takes 1.2").isEqualTo("TLSv1.2");
        }
    }

    @Test
    void onlyTheListedCipherSuitesAreOffered() throws Exception {
        try (SSLSocket socket = handshake(oneCipher, null, null, null)) {
            assertThat(socket.getSession().getCipherSuite()).isEqualTo(CIPHER);
            assertThat(socket.getSession().getProtocol()).as("no TLS 1.3 suite listed").isEqualTo("TLSv1.2");
        }
        String other = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
        assertThatThrownBy(() -> handshake(oneCipher, null, null, new String[] {other}).close())
                .isInstanceOf(SSLHandshakeException.class);
        try (SSLSocket socket = handshake(bySni, null, new String[] {"TLSv1.2"}, new String[] {other})) {
            assertThat(socket.getSession().getCipherSuite()).as("the JDK's default list has it").isEqualTo(other);
        }
    }

    private static String servedName(IngressServer server, String sni) throws Exception {
        return servedName(freshClient(), server, sni);
    }

    private static String servedName(SSLContext client, IngressServer server, String sni) throws IOException {
        try (SSLSocket socket = handshake(client, server, sni, null, null)) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    /**
     * A client without sessions to resume, so each handshake chooses a certificate (the JDK's client resumes by
     * address and port, sending the resumed session's name instead of the one asked for).
     */
    private static SSLContext freshClient() throws Exception {
        return SelfSignedCert.trusting(fallback.certificate(), a.certificate(), b.certificate(), renewedA.certificate());
    }

    private static SSLSocket handshake(IngressServer server, String sni, String[] protocols, String[] ciphers)
            throws Exception {
        return handshake(freshClient(), server, sni, protocols, ciphers);
    }

    private static SSLSocket handshake(SSLContext client, IngressServer server, String sni, String[] protocols,
                                       String[] ciphers) throws IOException {
        SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", PORTS.get(server));
        try {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            if (sni != null) {
                parameters.setServerNames(List.of(new SNIHostName(sni)));
            }
            if (protocols != null) {
                parameters.setProtocols(protocols);
            }
            if (ciphers != null) {
                parameters.setCipherSuites(ciphers);
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
