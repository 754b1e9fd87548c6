package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [key_value_limits]} write_rps end to end: the tutorial app, a real gateway and a real HTTP client. */
class KvRateLimitGatewayTest {
    private static final Path MANIFEST = Path.of("../examples/hello-key-value-store/spin.toml");
    private static final String RIVER = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    /** Like {@code spin up}: without {@code [key_value_limits]} a local app is never throttled. */
    @Test
    void noRuntimeConfigMeansNoRateQuota() throws Exception {
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, temp.resolve("state"), null,
                null, List.of()))) {
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 1; i <= 150; i++) {
                burst.add(client.sendAsync(HttpRequest.newBuilder(URI.create(listen.baseUrl() + "/set/b" + i))
                        .POST(HttpRequest.BodyPublishers.ofString(RIVER)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (var response : burst) {
                statuses.add(response.get().statusCode());
            }
            assertThat(statuses).hasSize(150).containsOnly(200);
        }
    }

    @Test
    void writesOverWriteRpsAre429WithRetryAfterAndNotStored() throws Exception {
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_limits]
                write_rps = 5
                """);
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        ListenAddress admin = new ListenAddress("127.0.0.1", FreePort.next());
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(MANIFEST, listen, temp.resolve("state"), runtimeConfig,
                admin, List.of()))) {
            List<Integer> statuses = new ArrayList<>();
            List<String> retryAfters = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 1; i <= 12; i++) {
                HttpResponse<String> set = client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + "/set/k" + i))
                        .POST(HttpRequest.BodyPublishers.ofString(RIVER)).build(), HttpResponse.BodyHandlers.ofString());
                statuses.add(set.statusCode());
                set.headers().firstValue("retry-after").ifPresent(retryAfters::add);
                if (set.statusCode() == 429) {
                    assertThat(set.body()).isEmpty();
                }
            }
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(statuses).isSubsetOf(200, 429);
            // 5 permits per 1 s period: the first 5 always pass
            assertThat(statuses.subList(0, 5)).containsOnly(200);
            if (elapsedMs < 1_000) {
                // at most two periods were touched: at most 10 writes passed, the 6th of a period was refused
                assertThat(statuses.stream().filter(s -> s == 200).count()).isBetween(5L, 10L);
                assertThat(statuses).contains(429);
            }
            assertThat(retryAfters).hasSize((int) statuses.stream().filter(s -> s == 429).count()).containsOnly("1");
            // issue 12: each refusal is counted (docs/observability.md)
            String metrics = client.send(HttpRequest.newBuilder(URI.create(admin.baseUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("edge_kv_quota_refusals_total{kind=\"write\"} "
                    + statuses.stream().filter(s -> s == 429).count() + ".0\n");
            // the store shows exactly the acknowledged writes
            for (int i = 1; i <= 12; i++) {
                HttpResponse<String> get = client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + "/get/k" + i))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (statuses.get(i - 1) == 200) {
                    assertThat(get.statusCode()).as("k%d was acknowledged", i).isEqualTo(200);
                    assertThat(get.body()).isEqualTo(RIVER);
                } else {
                    assertThat(get.statusCode()).as("k%d was refused", i).isEqualTo(404);
                }
            }
        }
    }
}
