package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.config.UpstreamPoolConfig;
import io.undertow.Undertow;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** https upstreams with self-signed certificates: trusted through a pool's ca_file, and only for the right host. */
class UpstreamTlsTest {
    @TempDir static Path dir;
    private static final List<Undertow> UPSTREAMS = new ArrayList<>();
    private static IngressServer server;
    private static int port;

    /** An https upstream on {@code host} answering "tls" with {@code cert}; its PEM written to {@code <name>.pem}. */
    private static int upstream(SelfSignedCert cert, String name, String host) throws Exception {
        cert.writePem(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("k", cert.key(), "pw".toCharArray(), new Certificate[] {cert.certificate()});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, "pw".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        int upstreamPort = FreePort.next();
        Undertow upstream = Undertow.builder().addHttpsListener(upstreamPort, host, context)
                .setHandler(exchange -> exchange.getResponseSender().send("tls " + exchange.getRequestURI())).build();
        upstream.start();
        UPSTREAMS.add(upstream);
        return upstreamPort;
    }

    @BeforeAll
    static void start() throws Exception {
        SelfSignedCert cert = SelfSignedCert.create(dir, "upstream"); // for 127.0.0.1 and localhost
        int right = upstream(cert, "right", "127.0.0.1");
        int wrong = upstream(cert, "right", "127.0.0.2"); // loopback too, but not a name the certificate has
        Map<String, UpstreamPoolConfig> pools = new LinkedHashMap<>();
        URI target = URI.create("https://localhost:" + right);
        pools.put("trusted", UpstreamPoolConfig.of("trusted", List.of(target)).withCaFile(dir.resolve("right.pem")));
        pools.put("untrusted", UpstreamPoolConfig.of("untrusted", List.of(target)));
        pools.put("wrong-name", UpstreamPoolConfig.of("wrong-name", List.of(URI.create("https://127.0.0.2:" + wrong)))
                .withCaFile(dir.resolve("right.pem")));
        StreamingProxy proxy = new StreamingProxy(ProxyHeaders.untrusting(), Duration.ofSeconds(30), pools);
        List<ProxyRoute> routes = new ArrayList<>();
        for (String name : pools.keySet()) {
            routes.add(ProxyRoute.parse("/" + name + "/...=upstream:" + name));
        }
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/...", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "from manifest")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(),
                List.of(new ProxyStage(routes, proxy)), "p", "1", null);
        port = FreePort.next();
        server = IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        UPSTREAMS.forEach(Undertow::stop);
    }

    private static RawHttp.Reply get(String path) throws Exception {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n");
    }

    @Test
    void aSelfSignedUpstreamIsReachedThroughThePoolsCaFile() throws Exception {
        RawHttp.Reply reply = get("/trusted/x");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).endsWith("tls /x");
    }

    @Test
    void withoutTheCaFileTheJdkTrustStoreRefusesIt() throws Exception {
        assertThat(get("/untrusted/x").status()).isEqualTo(502);
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
        assertThat(get("/wrong-name/x").status()).isEqualTo(502);
    }
}
