package dev.edge.wasm.wasi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Component;
import dev.edge.config.Executor;
import dev.edge.config.FileMount;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.WasmHttpHandler;
import dev.edge.wasm.wagi.WagiHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's entry point: both executors, with files mounted read-only and output to the component logs. */
class ComponentHandlersTest {
    private static final Path GUESTS = Path.of("src/test/resources/guests").toAbsolutePath();
    private static final GuestLimits LIMITS = new GuestLimits(16L << 20, Duration.ofSeconds(10), 1 << 20, 1 << 20, 2);

    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();

    @TempDir
    Path app;
    @TempDir
    Path stateDir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(app.resolve("secret.txt"), "SECRET");
        Files.createDirectories(app.resolve("data"));
        Files.writeString(app.resolve("data/hello.txt"), "hello from a file");
    }

    @AfterEach
    void tearDown() {
        watchdog.close();
    }

    private static Component component(String id, Path wasm) {
        return new Component(id, wasm, Optional.empty(), List.of(), Map.of(), Map.of(),
                List.of(new FileMount("data", "/data", false)), List.of(), List.of());
    }

    private static GuestResponse get(GuestHandler handler, String... headers) throws Exception {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (int i = 0; i < headers.length; i += 2) {
            list.add(Map.entry(headers[i], headers[i + 1]));
        }
        return handler.handle(new GuestRequest("GET", "/", list, new byte[0], "127.0.0.1:1", "HTTP/1.1"));
    }

    private static String text(GuestResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void httpExecutorComponentsGetTheirFilesReadOnly() throws Exception {
        Path copy;
        try (GuestHandler handler = ComponentHandlers.load(component("files-http", GUESTS.resolve("files_http.wasm")),
                Executor.http(), app, stateDir, null, Map.of(), LIMITS, ExecutorOptions.defaults(), watchdog)) {
            assertThat(handler).isInstanceOf(WasmHttpHandler.class);
            GuestResponse ok = get(handler, "x-path", "/data/hello.txt");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(text(ok)).isEqualTo("hello from a file");
            // a reused instance keeps its preopen
            assertThat(text(get(handler, "x-path", "data/hello.txt"))).isEqualTo("hello from a file");

            assertThat(get(handler, "x-path", "/secret.txt").status()).isEqualTo(404);
            assertThat(get(handler, "x-path", "/data/../../secret.txt").status()).isEqualTo(404);
            assertThat(get(handler, "x-path", "/etc/passwd").status()).isEqualTo(404);

            GuestResponse write = get(handler, "x-path", "/data/hello.txt", "x-write", "1");
            assertThat(write.status()).isEqualTo(403);
            assertThat(text(write)).isEqualTo("errno=" + 69); // wasi-libc maps __WASI_ERRNO_ROFS to EROFS (69)
            copy = Files.list(stateDir.resolve("files")).findFirst().orElseThrow();
        }
        assertThat(copy).doesNotExist();
        assertThat(app.resolve("data/hello.txt")).hasContent("hello from a file");
    }

    @Test
    void wagiComponentsGoToTheWagiExecutorWithStderrInTheComponentLog() throws Exception {
        try (ComponentLogs logs = ComponentLogs.inStateDir(stateDir);
             GuestHandler handler = ComponentHandlers.load(component("cgi", GUESTS.resolve("wagi/cgi.wasm")),
                     Executor.wagi(Executor.DEFAULT_WAGI_ARGV, Executor.DEFAULT_WAGI_ENTRYPOINT), app, stateDir, null, Map.of(),
                     LIMITS, ExecutorOptions.defaults().withOutput(logs), watchdog)) {
            assertThat(handler).isInstanceOf(WagiHandler.class);
            assertThat(text(get(handler, "x-mode", "file", "x-path", "/data/hello.txt")))
                    .isEqualTo("hello from a file");
            assertThat(text(get(handler, "x-mode", "stderr"))).isEqualTo("logged\n");
        }
        assertThat(stateDir.resolve("logs/cgi_stderr.txt")).hasContent("first complaint\nsecond complaint\n");
    }

    @Test
    void staticFilesExampleServesItsFilesAndReadsItsVariable() throws Exception {
        Path dir = Path.of("../examples/static-files").toAbsolutePath().normalize();
        assertThat(Files.readString(dir.resolve("spin.toml"))).contains("files = [\"static/**/*\"]")
                .contains("exclude_files = [\"static/**/*.draft\"]").contains("site_name = \"{{ site_name }}\"");
        Component component = new Component("static-files", dir.resolve("target/static-files.wasm"), Optional.empty(),
                List.of(), Map.of("site_name", "{{ site_name }}"), Map.of(),
                List.of(new FileMount("static/**/*", "/", true)), List.of("static/**/*.draft"), List.of());
        try (GuestHandler handler = ComponentHandlers.load(component, Executor.http(), dir, stateDir, null,
                Map.of("site_name", "edge static files"), LIMITS, ExecutorOptions.defaults(), watchdog)) {
            GuestResponse index = get(handler, "spin-path-info", "/");
            assertThat(index.status()).isEqualTo(200);
            assertThat(header(index, "content-type")).isEqualTo("text/html; charset=utf-8");
            assertThat(header(index, "x-site-name")).isEqualTo("edge static files");
            assertThat(index.body()).isEqualTo(Files.readAllBytes(dir.resolve("static/index.html")));

            GuestResponse css = get(handler, "spin-path-info", "/css/site.css");
            assertThat(header(css, "content-type")).isEqualTo("text/css; charset=utf-8");
            assertThat(css.body()).isEqualTo(Files.readAllBytes(dir.resolve("static/css/site.css")));

            assertThat(get(handler, "spin-path-info", "/notes.draft").status()).isEqualTo(404); // excluded
            assertThat(get(handler, "spin-path-info", "/../spin.toml").status()).isEqualTo(404);
            assertThat(get(handler, "spin-path-info", "/missing.html").status()).isEqualTo(404);
        }
    }

    private static String header(GuestResponse response, String name) {
        return response.headers().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }
}
