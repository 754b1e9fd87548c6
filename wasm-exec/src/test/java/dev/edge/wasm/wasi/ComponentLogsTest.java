package dev.edge.wasm.wasi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.config.Executor;
import dev.edge.wasm.CompiledModule;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestRequest;
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
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComponentLogsTest {
    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();

    @TempDir
    Path stateDir;

    @AfterEach
    void tearDown() {
        watchdog.close();
    }

    private static GuestLimits limits() {
        return new GuestLimits(16L << 20, Duration.ofSeconds(10), 1 << 20, 1 << 20, 2);
    }

    @Test
    void linesGoToSpinsFileNamesUnderTheStateDir() throws Exception {
        try (ComponentLogs logs = ComponentLogs.inStateDir(stateDir)) {
            logs.line("web", "stdout", "out 1");
            logs.line("web", "stderr", "err 1");
            logs.line("web", "stdout", "out 2");
            logs.line("api", "stdout", "api out");
        }
        assertThat(stateDir.resolve("logs/web_stdout.txt")).hasContent("out 1\nout 2\n");
        assertThat(stateDir.resolve("logs/web_stderr.txt")).hasContent("err 1\n");
        assertThat(stateDir.resolve("logs/api_stdout.txt")).hasContent("api out\n");
    }

    @Test
    void appendsAcrossRestarts() throws Exception {
        try (ComponentLogs logs = ComponentLogs.inStateDir(stateDir)) {
            logs.line("web", "stdout", "before restart");
        }
        try (ComponentLogs logs = ComponentLogs.inStateDir(stateDir)) {
            logs.line("web", "stdout", "after restart");
        }
        assertThat(stateDir.resolve("logs/web_stdout.txt")).hasContent("before restart\nafter restart\n");
    }

    @Test
    void aChattyGuestIsCappedToTwoFilesPerStream() throws Exception {
        Path dir = stateDir.resolve("logs");
        String line = "x".repeat(99); // 100 bytes with the newline
        try (ComponentLogs logs = new ComponentLogs(dir, 2000)) {
            for (int i = 0; i < 10_000; i++) {
                logs.line("chatty", "stderr", i == 9_999 ? "last line" : line);
            }
        }
        Path current = dir.resolve("chatty_stderr.txt");
        Path rotated = dir.resolve("chatty_stderr.txt.1");
        assertThat(Files.size(current)).isLessThanOrEqualTo(2000);
        assertThat(Files.size(rotated)).isLessThanOrEqualTo(2000).isGreaterThan(1900);
        assertThat(Files.readString(current)).endsWith("last line\n");
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(2);
        }
    }

    @Test
    void componentIdsCannotNameAPath() throws Exception {
        try (ComponentLogs logs = ComponentLogs.inStateDir(stateDir)) {
            logs.line("../../escape", "stdout", "x");
            assertThat(logs.file("../../escape", "stdout")).isEqualTo(stateDir.resolve("logs/invalid-id_stdout.txt"));
        }
        assertThat(stateDir.resolve("logs/invalid-id_stdout.txt")).hasContent("x\n");
        assertThat(stateDir.getParent().resolve("escape_stdout.txt")).doesNotExist();
    }

    @Test
    void rejectsATinyCap() {
        assertThatThrownBy(() -> new ComponentLogs(stateDir, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void teeSendsToBoth() {
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        ComponentLogs.tee((c, s, l) -> a.add(l), (c, s, l) -> b.add(l)).line("web", "stdout", "both");
        assertThat(a).containsExactly("both");
        assertThat(b).containsExactly("both");
    }

    @Test
    void concurrentWritersNeverInterleaveLines() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (ComponentLogs logs = ComponentLogs.inStateDir(stateDir)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String payload = ("thread-" + t + "-").repeat(50);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        logs.line("web", "stdout", payload);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> lines = Files.readAllLines(stateDir.resolve("logs/web_stdout.txt"));
        assertThat(lines).hasSize(800).allMatch(l -> l.matches("(thread-\\d-){50}") && l.equals(
                l.substring(0, 9).repeat(50)));
    }

    @Test
    void theHttpExecutorsGuestStdoutLandsInTheComponentLog() throws Exception {
        Path wasm = Path.of("src/test/resources/guests/hello.wasm");
        try (ComponentLogs logs = ComponentLogs.inStateDir(stateDir);
             WasmHttpHandler handler = new WasmHttpHandler(
                     CompiledModule.loadHttp("hello", wasm, Optional.empty(), 16L << 20), null, Set.of(), Map.of(), Map.of(),
                     limits(), ExecutorOptions.defaults().withOutput(logs), watchdog)) {
            handler.handle(new GuestRequest("GET", "/logged", List.of(), new byte[0], "127.0.0.1:1", "HTTP/1.1"));
        }
        assertThat(stateDir.resolve("logs/hello_stdout.txt")).hasContent("hello guest served /logged\n");
    }

    @Test
    void theWagiExecutorsGuestStderrLandsInTheComponentLog() throws Exception {
        Path wasm = Path.of("src/test/resources/guests/wagi/cgi.wasm").toAbsolutePath();
        var component = new dev.edge.config.Component("cgi", wasm, Optional.empty(), List.of(), Map.of(), Map.of(),
                List.of(), List.of(), List.of());
        try (ComponentLogs logs = ComponentLogs.inStateDir(stateDir);
             WagiHandler handler = WagiHandler.load(component, Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"),
                     wasm.getParent(), stateDir, limits(), logs, watchdog)) {
            var response = handler.handle(new GuestRequest("GET", "/", List.of(Map.entry("x-mode", "stderr")),
                    new byte[0], "127.0.0.1:1", "HTTP/1.1"));
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("logged\n");
        }
        assertThat(stateDir.resolve("logs/cgi_stderr.txt")).hasContent("first complaint\nsecond complaint\n");
        assertThat(stateDir.resolve("logs/cgi_stdout.txt")).doesNotExist(); // WAGI stdout is the response
    }
}
