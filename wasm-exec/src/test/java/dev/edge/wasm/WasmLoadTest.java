package dev.edge.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.config.Component;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WasmLoadTest {
    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        watchdog.close();
    }

    private static Component component(Path source, Optional<String> digest) {
        return new Component("broken", source, digest, List.of(), Map.of(), Map.of(), List.of(), List.of(), List.of());
    }

    private WasmHttpHandler load(Path source, Optional<String> digest) throws WasmLoadException {
        return WasmHttpHandler.load(component(source, digest), null, Map.of(), Guests.limits(Duration.ofSeconds(1)),
                ExecutorOptions.defaults(), watchdog);
    }

    @Test
    void notWasmAtAll() throws Exception {
        Path file = Files.writeString(dir.resolve("text.wasm"), "<html>not wasm</html>");
        assertThatThrownBy(() -> load(file, Optional.empty()))
                .isInstanceOf(WasmLoadException.class)
                .hasMessage("component 'broken': cannot load " + file + ": not a WebAssembly module (bad magic number)")
                .hasNoCause();
    }

    @Test
    void truncatedModule() throws Exception {
        byte[] hello = Files.readAllBytes(Guests.guest("hello"));
        Path file = Files.write(dir.resolve("truncated.wasm"), java.util.Arrays.copyOf(hello, 40));
        assertThatThrownBy(() -> load(file, Optional.empty()))
                .isInstanceOf(WasmLoadException.class)
                .hasMessageStartingWith("component 'broken': cannot load " + file + ": invalid module: ")
                .hasNoCause();
    }

    @Test
    void missingHandlerExport() {
        Path file = Guests.guest("no_handler");
        assertThatThrownBy(() -> load(file, Optional.empty()))
                .isInstanceOf(WasmLoadException.class)
                .hasMessage("component 'broken': cannot load " + file + ": module does not export function "
                        + "'edge_http_handle' (required by the edge guest ABI, see docs/guest-abi.md)");
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("absent.wasm");
        assertThatThrownBy(() -> load(file, Optional.empty()))
                .hasMessage("component 'broken': cannot load " + file + ": file not found");
    }

    @Test
    void componentModelBinaryIsRefusedWithAHint() throws Exception {
        Path file = Files.write(dir.resolve("component.wasm"), new byte[] {0, 'a', 's', 'm', 0x0d, 0, 1, 0});
        assertThatThrownBy(() -> load(file, Optional.empty()))
                .hasMessageContaining("WebAssembly components are not supported");
    }

    @Test
    void digestIsVerified() throws Exception {
        Path file = Guests.guest("hello");
        String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        String wrong = "sha256:" + "0".repeat(64);

        assertThatThrownBy(() -> load(file, Optional.of(wrong)))
                .hasMessage("component 'broken': cannot load " + file + ": digest mismatch: manifest says " + wrong
                        + ", file is sha256:" + actual);
        try (WasmHttpHandler handler = load(file, Optional.of("sha256:" + actual))) {
            assertThat(handler.componentId()).isEqualTo("broken");
        }
    }

    @Test
    void initialMemoryAboveTheLimitFailsAtLoad() {
        Path file = Guests.guest("hello");
        assertThatThrownBy(() -> CompiledModule.loadHttp("big", file, Optional.empty(), 64 * 1024))
                .hasMessageContaining("initial memory pages")
                .hasMessageContaining("more than the limit of 65536 bytes");
    }
}
