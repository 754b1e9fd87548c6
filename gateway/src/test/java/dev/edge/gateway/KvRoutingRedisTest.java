package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.config.KvStoreConfig;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.redis.RedisStoreBackend;
import dev.edge.kv.testing.RedisServerProcess;
import dev.edge.kv.testing.RedisTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KV-aware routing on the Redis tier: the gateway reads its regional replica through the near-cache, a
 * writer elsewhere in the fleet writes the primary, and the gateway's routing follows. Times are printed,
 * never asserted.
 */
class KvRoutingRedisTest {
    private static final int FLIPS = 6;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    @Test
    void writeOnThePrimaryFlipsRoutingOnANodeReadingAReplica() throws Exception {
        try (RedisTopology redis = RedisTopology.primaryWithReplicas(1);
             EchoUpstream blue = new EchoUpstream("blue");
             EchoUpstream green = new EchoUpstream("green")) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.default]
                    type = "redis"
                    url = "%s"
                    replica_url = "%s"
                    region = "eu-west"

                    [[kv_route]]
                    route = "/..."
                    key = "upstream:{host}"
                    allowed_upstreams = ["http://127.0.0.1:*"]
                    """.formatted(redis.primary().uri(), redis.replica(0).uri()));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            ListenAddress admin = new ListenAddress("127.0.0.1", FreePort.next());
            // The writer is another node of the fleet: it talks to the primary only.
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(KvRoutingGatewayTest.staticManifest(temp), listen,
                    temp.resolve("state"), runtimeConfig, admin, List.of()));
                 RedisStoreBackend writerNode = new RedisStoreBackend(
                         KvStoreConfig.Redis.withDefaults(redis.primary().uri()), new SimpleMeterRegistry())) {
                KeyValueStore writer = writerNode.open(KvRoutingGatewayTest.APP, "default");
                String key = "upstream:127.0.0.1"; // {host} of requests to the listener, port dropped

                assertThat(get(listen, "/x").body()).isEqualTo("from manifest"); // key absent: passed on
                List<Double> millis = new ArrayList<>();
                for (int flip = 0; flip < FLIPS; flip++) {
                    EchoUpstream next = flip % 2 == 0 ? blue : green;
                    String expected = (flip % 2 == 0 ? "blue" : "green") + " GET /x";
                    if (flip > 0) {
                        // Warm: the previous value is now served from the gateway's near-cache.
                        for (int i = 0; i < 3; i++) {
                            assertThat(get(listen, "/x").body()).isNotEqualTo(expected);
                        }
                    }
                    writer.set(key, next.url().getBytes(StandardCharsets.UTF_8));
                    long acknowledged = System.nanoTime();
                    await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                            .until(() -> get(listen, "/x").body().equals(expected));
                    millis.add((System.nanoTime() - acknowledged) / 1e6);
                }
                String metrics = get(admin, "/metrics").body();
                // The flips arrived by invalidation push (the near-cache TTL backstop is 30 s), and lookups
                // in between were near-cache hits.
                assertThat(counter(metrics, "edge_kv_redis_nearcache_invalidations_total{region=\"eu-west\"}"))
                        .isGreaterThanOrEqualTo(FLIPS - 1);
                assertThat(counter(metrics, "edge_kv_redis_nearcache_requests_total{region=\"eu-west\",result=\"hit\"}"))
                        .isGreaterThanOrEqualTo(3.0 * (FLIPS - 1));
                List<Double> sorted = new ArrayList<>(millis);
                Collections.sort(sorted);
                System.out.printf("kv_route flip on a replica-reading node, primary write acknowledged -> first request"
                                + " routed to the new upstream (ms, %d flips, includes one HTTP round trip per poll):"
                                + " min %.2f, median %.2f, max %.2f; mean kv route lookup %s%n",
                        FLIPS, sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1),
                        meanLookup(metrics));
            }
        }
    }

    @Test
    void storeDownFallsBackToTheDefaultUpstreamElse503() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             EchoUpstream blue = new EchoUpstream("blue");
             EchoUpstream fallback = new EchoUpstream("default")) {
            Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                    [key_value_store.default]
                    type = "redis"
                    url = "%s"
                    command_timeout = "300ms"

                    [[kv_route]]
                    route = "/with-default/..."
                    key = "upstream:api"
                    default_upstream = "%s"
                    allowed_upstreams = ["http://127.0.0.1:*"]

                    [[kv_route]]
                    route = "/without-default/..."
                    key = "upstream:api"
                    allowed_upstreams = ["http://127.0.0.1:*"]
                    """.formatted(redis.uri(), fallback.url()));
            ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
            try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(KvRoutingGatewayTest.staticManifest(temp), listen,
                    temp.resolve("state"), runtimeConfig, null, List.of()));
                 RedisStoreBackend writerNode = new RedisStoreBackend(
                         KvStoreConfig.Redis.withDefaults(redis.uri()), new SimpleMeterRegistry())) {
                writerNode.open(KvRoutingGatewayTest.APP, "default").set("upstream:api",
                        blue.url().getBytes(StandardCharsets.UTF_8));
                assertThat(get(listen, "/with-default/a").body()).isEqualTo("blue GET /a");
                assertThat(get(listen, "/without-default/a").body()).isEqualTo("blue GET /a");

                redis.kill();

                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                        .until(() -> get(listen, "/with-default/a").body().equals("default GET /a"));
                HttpResponse<String> unavailable = get(listen, "/without-default/a");
                assertThat(unavailable.statusCode()).isEqualTo(503);
                assertThat(unavailable.body()).isEmpty();
                // The gateway keeps serving what does not need the store.
                assertThat(get(listen, "/other").body()).isEqualTo("from manifest");
            }
        }
    }

    private static double counter(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        assertThat(m.find()).as("metric %s in%n%s", series, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String meanLookup(String metrics) {
        double count = counter(metrics, "edge_kv_route_lookups_seconds_count{outcome=\"hit\",route=\"/...\"}");
        double sum = counter(metrics, "edge_kv_route_lookups_seconds_sum{outcome=\"hit\",route=\"/...\"}");
        String nearCache = "edge_kv_redis_op_seconds_%s{op=\"get\",outcome=\"ok\",region=\"eu-west\",route=\"near-cache\"}";
        double cachedCount = counter(metrics, nearCache.formatted("count"));
        double cachedSum = counter(metrics, nearCache.formatted("sum"));
        return String.format("%.1f us over %d hits (replica misses included); near-cache get %.1f us over %d",
                sum / count * 1e6, (long) count, cachedSum / cachedCount * 1e6, (long) cachedCount);
    }

    private HttpResponse<String> get(ListenAddress listen, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
