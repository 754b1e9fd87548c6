package dev.edge.loadtest;

import dev.edge.config.AppManifest;
import dev.edge.config.Component;
import dev.edge.config.ManifestLoader;
import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.memory.InMemoryStoreBackend;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestException;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.InstancePolicy;
import dev.edge.wasm.WasmHttpHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wasm dispatch cost of one request, without HTTP: {@link WasmHttpHandler#handle} on the example apps,
 * with a reused (pooled) or a fresh instance, and the tutorial's hot {@code GET /get/rs} on the in-memory and
 * the SQLite store. Run from the repository root:
 * <pre>java -jar loadtest/target/benchmarks.jar GuestDispatchBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class GuestDispatchBenchmark {
    private static final String TUTORIAL_VALUE = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}";

    @Param({"REUSE", "FRESH"})
    public InstancePolicy policy;

    private Path stateDir;
    private DeadlineWatchdog watchdog;
    private KeyValueFactor memoryStores;
    private KeyValueFactor sqliteStores;
    private WasmHttpHandler helloWorld;
    private WasmHttpHandler tutorialOnMemory;
    private WasmHttpHandler tutorialOnSqlite;
    private GuestRequest helloRequest;
    private GuestRequest getRs;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path repo = Path.of(System.getProperty("edge.repo", ".")).toAbsolutePath();
        stateDir = Files.createTempDirectory("edge-bench");
        watchdog = new DeadlineWatchdog();
        ExecutorOptions options = ExecutorOptions.defaults().withPolicy(policy);
        GuestLimits limits = GuestLimits.defaults();

        Component hello = component(repo.resolve("examples/hello-world/spin.toml"));
        helloWorld = WasmHttpHandler.load(hello, null, Map.of(), limits, options, watchdog);

        Component tutorial = component(repo.resolve("examples/hello-key-value-store/spin.toml"));
        memoryStores = new KeyValueFactor("bench", Map.of("default", new InMemoryStoreBackend()));
        sqliteStores = new KeyValueFactor("bench", Map.of("default",
                SqliteStoreBackend.inStateDir(stateDir, "bench")));
        byte[] value = TUTORIAL_VALUE.getBytes(StandardCharsets.UTF_8);
        memoryStores.openStore("default").set("rs", value);
        sqliteStores.openStore("default").set("rs", value);
        tutorialOnMemory = WasmHttpHandler.load(tutorial, memoryStores, Map.of(), limits, options, watchdog);
        tutorialOnSqlite = WasmHttpHandler.load(tutorial, sqliteStores, Map.of(), limits, options, watchdog);

        helloRequest = request("/");
        getRs = request("/get/rs");
        check(tutorialOnMemory.handle(getRs));
        check(tutorialOnSqlite.handle(getRs));
    }

    private static Component component(Path manifestFile) {
        AppManifest manifest = ManifestLoader.load(manifestFile);
        return manifest.components().values().iterator().next();
    }

    /** The headers the ingress adds for a {@code /...} route, so the guest sees a realistic request. */
    private static GuestRequest request(String path) {
        return new GuestRequest("GET", path, List.of(
                Map.entry("host", "127.0.0.1:3000"),
                Map.entry("user-agent", "bench"),
                Map.entry("accept", "*/*"),
                Map.entry("spin-full-url", "http://127.0.0.1:3000" + path),
                Map.entry("spin-path-info", path),
                Map.entry("spin-matched-route", "/..."),
                Map.entry("spin-base-path", "/"),
                Map.entry("spin-raw-component-route", "/..."),
                Map.entry("spin-component-route", ""),
                Map.entry("spin-client-addr", "127.0.0.1:50000")),
                new byte[0], "127.0.0.1:50000", "HTTP/1.1");
    }

    private static void check(GuestResponse response) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        if (response.status() != 200 || !body.equals(TUTORIAL_VALUE)) {
            throw new IllegalStateException("unexpected tutorial answer " + response.status() + " " + body);
        }
    }

    @Benchmark
    public GuestResponse trivialHandler() throws GuestException {
        return helloWorld.handle(helloRequest);
    }

    @Benchmark
    public GuestResponse tutorialGetOnMemoryStore() throws GuestException {
        return tutorialOnMemory.handle(getRs);
    }

    @Benchmark
    public GuestResponse tutorialGetOnSqliteStore() throws GuestException {
        return tutorialOnSqlite.handle(getRs);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        helloWorld.close();
        tutorialOnMemory.close();
        tutorialOnSqlite.close();
        memoryStores.close();
        sqliteStores.close();
        watchdog.close();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
