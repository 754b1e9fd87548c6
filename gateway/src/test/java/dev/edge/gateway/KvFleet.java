package dev.edge.gateway;

import dev.edge.routes.FreePort;
import dev.edge.kv.testing.RedisServerProcess;
import dev.edge.kv.testing.RedisTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * Edge gateway nodes ({@link EdgeApp}, the same wiring {@code edge up} uses, each with its own listener,
 * Redis backend and near-cache) over one real Redis topology, and a real HTTP client to talk to them.
 * A node is written as a spin.toml + runtime-config.toml pair in a temp directory, as an operator would.
 */
final class KvFleet implements AutoCloseable {
    static final Path TUTORIAL_WASM = Path.of("../examples/hello-key-value-store/target/hello-key-value-store.wasm")
            .toAbsolutePath().normalize();
    static final Path ATOMICS_WASM = Path.of("src/test/resources/guests/kv_atomics.wasm").toAbsolutePath().normalize();

    private final Path dir;
    private final List<Node> nodes = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    KvFleet(Path dir) {
        this.dir = dir;
    }

    /** One gateway node running {@code wasm} as application {@code appName}, its default store on Redis. */
    Node start(String appName, Path wasm, String region, RedisServerProcess primary, RedisServerProcess replica)
            throws Exception {
        Path nodeDir = Files.createDirectories(dir.resolve(region + "-" + appName));
        Path manifest = Files.writeString(nodeDir.resolve("spin.toml"), """
                spin_manifest_version = 2

                [application]
                name = "%s"
                version = "0.1.0"

                [[trigger.http]]
                route = "/..."
                component = "handler"

                [component.handler]
                source = "%s"
                key_value_stores = ["default"]
                """.formatted(appName, wasm));
        String replicaLine = replica == null ? "" : "replica_url = \"" + replica.uri() + "\"\n";
        // Rate limits off: the storms below write far more than the Fermyon default of 50/s.
        Path runtimeConfig = Files.writeString(nodeDir.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "redis"
                url = "%s"
                %sregion = "%s"

                [key_value_limits]
                read_rps = 0
                write_rps = 0
                """.formatted(primary.uri(), replicaLine, region));
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, nodeDir.resolve("state"), runtimeConfig,
                null, List.of()));
        Node node = new Node(region, appName, listen.baseUrl(), app);
        nodes.add(node);
        return node;
    }

    /** Two tutorial nodes: region-a reads replica 0, region-b reads replica 1. */
    List<Node> startTwoRegions(String appName, Path wasm, RedisTopology topology) throws Exception {
        return List.of(start(appName, wasm, "region-a", topology.primary(), topology.replica(0)),
                start(appName, wasm, "region-b", topology.primary(), topology.replica(1)));
    }

    /** The Redis key a value of {@code appName}'s default store lives under (see docs/kv-redis.md). */
    static String redisKey(String appName, String key) {
        return "edge:{" + appName + "/default}:" + key;
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            node.app.close();
        }
        nodes.clear();
    }

    /** A running node. */
    final class Node {
        final String region;
        final String appName;
        final String baseUrl;
        private final EdgeApp app;

        private Node(String region, String appName, String baseUrl, EdgeApp app) {
            this.region = region;
            this.appName = appName;
            this.baseUrl = baseUrl;
            this.app = app;
        }

        HttpResponse<String> get(String path) {
            return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
        }

        HttpResponse<String> post(String path, String body) {
            return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
        }

        /** The tutorial's POST /set/:key of a person; returns the status. */
        int setPerson(String key, String firstName, String lastName) {
            return post("/set/" + key, person(firstName, lastName)).statusCode();
        }

        /** The tutorial's GET /get/:key: the stored JSON, or null on 404. */
        String getPerson(String key) {
            HttpResponse<String> response = get("/get/" + key);
            if (response.statusCode() == 404) {
                return null;
            }
            if (response.statusCode() != 200) {
                throw new AssertionError(region + " GET /get/" + key + " answered " + response.statusCode());
            }
            return response.body();
        }

        private HttpResponse<String> send(HttpRequest.Builder request) {
            try {
                return client.send(request.timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(region + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() { return region + "/" + appName; }
    }

    /** The tutorial's compact JSON form of a person (what GET /get/:key answers). */
    static String person(String firstName, String lastName) {
        return "{\"firstName\":\"" + firstName + "\",\"lastName\":\"" + lastName + "\"}";
    }
}
