package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.routes.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /kv/...} on the admin listener: off without a token, a bearer token required, the same keys the app's
 * components and kv routes see, never on the public listener.
 */
class AdminKvGatewayTest {
    private static final String TOKEN = "s3cr3t-admin-token";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    private Path runtimeConfig(String defaultUpstream) throws Exception {
        return Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "spin"
                path = "%s"

                [[kv_route]]
                route = "/api/..."
                key = "upstream:api"
                default_upstream = "%s"
                allowed_upstreams = ["http://127.0.0.1:*"]

                [key_value_limits]
                max_value_bytes = 64
                """.formatted(temp.resolve("kv.db"), defaultUpstream));
    }

    private EdgeApp start(Path runtimeConfig, ListenAddress listen, ListenAddress admin, Optional<String> token)
            throws Exception {
        return EdgeApp.start(new EdgeApp.Settings(KvRoutingGatewayTest.staticManifest(temp), listen,
                temp.resolve("state"), runtimeConfig, admin, List.of(), Map.of(), Optional.empty(), token));
    }

    @Test
    void aBearerTokenGuardsRoundTripsThatAKvRouteFollows() throws Exception {
        try (EchoUpstream blue = new EchoUpstream("blue");
             EchoUpstream fallback = new EchoUpstream("default")) {
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            ListenAddress admin = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = start(runtimeConfig(fallback.url()), listen, admin, Optional.of(TOKEN))) {
                String kv = admin.baseUrl() + "/kv/default/";
                // no token, a wrong one, another scheme: 401 with the challenge, nothing written
                for (String authorization : new String[] {null, "Bearer wrong", "Basic " + TOKEN, TOKEN}) {
                    HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(kv + "upstream:api"))
                            .PUT(HttpRequest.BodyPublishers.ofString(blue.url()));
                    if (authorization != null) {
                        put.header("Authorization", authorization);
                    }
                    HttpResponse<String> refused = send(put);
                    assertThat(refused.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
                    assertThat(refused.headers().firstValue("www-authenticate")).contains("Bearer realm=\"edge-admin\"");
                }
                assertThat(send(authorized(kv + "upstream:api").GET()).statusCode()).isEqualTo(404);
                assertThat(get(listen.baseUrl() + "/api/x")).isEqualTo("default GET /x");

                assertThat(send(authorized(kv + "upstream:api").PUT(HttpRequest.BodyPublishers.ofString(blue.url())))
                        .statusCode()).isEqualTo(204);
                assertThat(get(listen.baseUrl() + "/api/x")).isEqualTo("blue GET /x"); // SQLite: read at once
                HttpResponse<String> read = send(authorized(kv + "upstream:api").GET());
                assertThat(read.statusCode()).isEqualTo(200);
                assertThat(read.body()).isEqualTo(blue.url());

                // percent-encoded keys (a slash, a space, UTF-8), binary values, listing with a prefix
                byte[] binary = {0, (byte) 0xff, '\n'};
                assertThat(send(authorized(kv + "a%2Fb%20%C3%A9").PUT(HttpRequest.BodyPublishers.ofByteArray(binary)))
                        .statusCode()).isEqualTo(204);
                HttpResponse<byte[]> bytes = client.send(authorized(kv + "a%2Fb%20%C3%A9").GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(bytes.body()).isEqualTo(binary);
                assertThat(bytes.headers().firstValue("content-type")).contains("application/octet-stream");
                assertThat(send(authorized(kv).GET()).body()).isEqualTo("a/b é\nupstream:api\n");
                assertThat(send(authorized(kv + "?prefix=upstream%3A").GET()).body()).isEqualTo("upstream:api\n");

                // what edge kv (another client of the same file) sees
                assertThat(kvGet("a/b é")).isEqualTo(binary);

                assertThat(send(authorized(kv + "upstream:api").DELETE()).statusCode()).isEqualTo(204);
                assertThat(get(listen.baseUrl() + "/api/x")).isEqualTo("default GET /x");

                // bad requests
                assertThat(send(authorized(admin.baseUrl() + "/kv/nope/k").GET()).statusCode()).isEqualTo(404);
                assertThat(send(authorized(kv + "bad%FF").GET()).statusCode()).isEqualTo(400);
                assertThat(send(authorized(kv + "k").PUT(HttpRequest.BodyPublishers.ofByteArray(
                        new byte[65]))).statusCode()).isEqualTo(413);
                HttpResponse<String> post = send(authorized(kv + "k").POST(HttpRequest.BodyPublishers.noBody()));
                assertThat(post.statusCode()).isEqualTo(405);
                assertThat(post.headers().firstValue("allow")).contains("GET, PUT, DELETE");

                // never on the public listener: /kv/... there is the manifest's route
                HttpResponse<String> publicKv = send(authorized(listen.baseUrl() + "/kv/default/a%2Fb%20%C3%A9").GET());
                assertThat(publicKv.body()).isEqualTo("from manifest");
            }
        }
    }

    @Test
    void offWithoutAToken() throws Exception {
        try (EchoUpstream fallback = new EchoUpstream("default")) {
            ListenAddress admin = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = start(runtimeConfig(fallback.url()),
                    new ListenAddress("127.0.0.1", FreePort.next()), admin, Optional.empty())) {
                assertThat(send(authorized(admin.baseUrl() + "/kv/default/k").GET()).statusCode()).isEqualTo(404);
                assertThat(send(authorized(admin.baseUrl() + "/kv/default/k")
                        .PUT(HttpRequest.BodyPublishers.ofString("v"))).statusCode()).isEqualTo(404);
                assertThat(send(HttpRequest.newBuilder(URI.create(admin.baseUrl() + "/metrics"))).statusCode())
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void aTokenFileNeedsTheAdminListenerAndOneWordOfText() throws Exception {
        Path manifest = KvRoutingGatewayTest.staticManifest(temp);
        Path token = Files.writeString(temp.resolve("token"), TOKEN + "\n");
        Path blank = Files.writeString(temp.resolve("blank"), " \n");
        String listen = "127.0.0.1:" + FreePort.next();
        assertThat(up("--from", manifest.toString(), "--listen", listen, "--admin-token-file", token.toString()))
                .isEqualTo("Error: --admin-token-file turns on /kv/ on the admin listener, which needs --admin-listen");
        assertThat(up("--from", manifest.toString(), "--listen", listen, "--admin-listen", "127.0.0.1:" + FreePort.next(),
                "--admin-token-file", blank.toString()))
                .isEqualTo("Error: --admin-token-file " + blank + ": the token must be one word of printable ASCII");
    }

    /** {@code edge up} that fails to start: its stderr. */
    private String up(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "up";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = EdgeMain.run(all, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(1));
        assertThat(code).isEqualTo(1);
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    private byte[] kvGet(String key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = EdgeMain.run(new String[] {"kv", "get", key, "--from", temp.resolve("spin.toml").toString(),
                        "--runtime-config-file", temp.resolve("runtime-config.toml").toString(),
                        "--state-dir", temp.resolve("state").toString()},
                new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream(), true), new CountDownLatch(1));
        assertThat(code).isZero();
        return out.toByteArray();
    }

    private static HttpRequest.Builder authorized(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url))).body();
    }
}
