package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.routes.FreePort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload of the real gateway process: SIGHUP and --watch (docs/gateway.md, "Hot reload"). */
class HotReloadTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path temp;

    /** A static route and two guests (hello echoes GREETING, sleep holds a request in flight), all saying {@code version}. */
    private Path writeApp(String version) throws Exception {
        return TestApps.manifest(temp.resolve("app"), "reloaded", """
                [[trigger.http]]
                route = "/static"
                static_response = { status_code = 200, body = "%s" }
                """.formatted(version)
                + TestApps.component("/hello", "hello", TestApps.wasmExecGuest("hello"))
                + "environment = { GREETING = \"" + version + "\" }\n"
                + TestApps.component("/sleep/...", "sleep", TestApps.wasmExecGuest("sleep")));
    }

    private GatewayProcess start(Path manifest, int port, int admin, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + port,
                "--admin-listen", "127.0.0.1:" + admin, "--state-dir", temp.resolve("state").toString()));
        args.addAll(List.of(extra));
        return GatewayProcess.start(args.toArray(String[]::new)).awaitServing();
    }

    private String get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void awaitLine(GatewayProcess gateway, String prefix) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(gateway.stderr()).anyMatch(line -> line.startsWith(prefix)));
    }

    @Test
    void sighupSwapsInTheEditedAppAndABrokenManifestKeepsTheOldOneServing() throws Exception {
        Path manifest = writeApp("one");
        int port = FreePort.next();
        int admin = FreePort.next();
        try (GatewayProcess gateway = start(manifest, port, admin)) {
            assertThat(get(port, "/static")).isEqualTo("one");

            writeApp("two");
            gateway.hangUp();
            awaitLine(gateway, "reloaded app reloaded (generation 2) in ");
            assertThat(get(port, "/static")).isEqualTo("two");
            assertThat(get(port, "/hello")).contains("env=two");

            Files.writeString(manifest, Files.readString(manifest).replace("route = \"/static\"", "route = "));
            gateway.hangUp();
            awaitLine(gateway, "reload failed, still serving generation 2: ");
            assertThat(gateway.stderr()).filteredOn(line -> line.startsWith("reload failed"))
                    .singleElement().asString().contains("spin.toml");
            assertThat(gateway.stderr()).noneMatch(line -> line.contains("\tat ") || line.contains("Exception"));
            assertThat(get(port, "/static")).as("the old app keeps serving").isEqualTo("two");
            assertThat(get(port, "/hello")).contains("env=two");

            String metrics = get(admin, "/metrics");
            assertThat(metrics).contains("edge_reloads_total{result=\"ok\"} 1.0")
                    .contains("edge_reloads_total{result=\"failed\"} 1.0");
        }
    }

    @Test
    void aReloadUnderLoadFailsNoRequest() throws Exception {
        Path manifest = writeApp("v1");
        int port = FreePort.next();
        try (GatewayProcess gateway = start(manifest, port, FreePort.next())) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong answered = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            Set<String> seen = ConcurrentHashMap.newKeySet();
            List<Thread> load = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos(); // the loop is bounded in time
            for (int i = 0; i < 4; i++) {
                String path = i % 2 == 0 ? "/sleep/30" : i == 1 ? "/static" : "/hello";
                Thread thread = new Thread(() -> {
                    while (!stop.get() && System.nanoTime() < deadline) {
                        try {
                            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() != 200) {
                                failures.add(path + " -> " + response.statusCode() + " " + response.body());
                            } else {
                                answered.incrementAndGet();
                                if (!path.startsWith("/sleep")) {
                                    seen.add(response.body().contains("v2") ? "v2" : response.body().contains("v1") ? "v1"
                                            : response.body());
                                }
                            }
                        } catch (Exception e) {
                            failures.add(path + " -> " + e);
                        }
                    }
                }, "load-" + i);
                thread.start();
                load.add(thread);
            }
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> answered.get() >= 20);
                for (int generation = 2; generation <= 4; generation++) {
                    writeApp(generation % 2 == 0 ? "v2" : "v1");
                    gateway.hangUp();
                    awaitLine(gateway, "reloaded app reloaded (generation " + generation + ") in ");
                    long before = answered.get();
                    await().atMost(Duration.ofSeconds(30)).until(() -> answered.get() >= before + 20);
                }
            } finally {
                stop.set(true);
                for (Thread thread : load) {
                    thread.join(Duration.ofSeconds(60).toMillis());
                }
            }
            assertThat(failures).as("failed requests during three reloads, of %d answered", answered.get()).isEmpty();
            assertThat(seen).as("answers from both app versions").containsExactlyInAnyOrder("v1", "v2");
            assertThat(gateway.stderr()).noneMatch(line -> line.startsWith("reload failed") || line.contains("WARN"));
        }
    }

    @Test
    void watchReloadsWhenTheManifestOrAComponentChanges() throws Exception {
        Path manifest = writeApp("before");
        Path wasm = Files.copy(TestApps.wasmExecGuest("hello"), temp.resolve("app/guest.wasm"));
        Files.writeString(manifest, Files.readString(manifest)
                + TestApps.component("/guest", "guest", wasm));
        int port = FreePort.next();
        try (GatewayProcess gateway = start(manifest, port, FreePort.next(), "--watch")) {
            assertThat(get(port, "/static")).isEqualTo("before");
            assertThat(get(port, "/guest")).startsWith("hello GET /guest");
            Files.writeString(manifest, Files.readString(manifest).replace("\"before\"", "\"after\""));
            awaitLine(gateway, "reloaded app reloaded (generation 2) in ");
            assertThat(get(port, "/static")).isEqualTo("after");

            // a rebuilt component: its .wasm replaced (sleep answers "slept=<ms>")
            Files.copy(TestApps.wasmExecGuest("sleep"), temp.resolve("app/guest.tmp"));
            Files.move(temp.resolve("app/guest.tmp"), wasm, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            awaitLine(gateway, "reloaded app reloaded (generation 3) in ");
            assertThat(get(port, "/guest")).isEqualTo("slept=0");
            assertThat(gateway.stderr()).filteredOn(line -> line.startsWith("reload")).hasSize(2);
        }
    }
}
