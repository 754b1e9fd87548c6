package dev.edge.component.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edge.component.TestComponents;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.WasmLoadException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A manifest component whose source is a component binary, loaded with every host interface edge has. */
class ComponentHttpHandlersTest {
    @TempDir
    Path dir;

    private dev.edge.config.Component manifestComponent(Path source, Optional<String> digest) {
        return new dev.edge.config.Component("hello", source, digest, List.of(), Map.of(), Map.of("A", "b"),
                List.of(), List.of(), List.of());
    }

    private Path write(String name) throws Exception {
        Path file = dir.resolve(name + ".wasm");
        Files.write(file, TestComponents.bytes(name));
        return file;
    }

    @Test
    void servesAComponentFromTheManifest() throws Exception {
        Path source = write("http-hello");
        assertTrue(ComponentHttpHandlers.isComponent(source));
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog();
             GuestHandler handler = ComponentHttpHandlers.load(manifestComponent(source, Optional.empty()), dir,
                     dir.resolve(".spin"), null, Map.of(), GuestLimits.defaults(), ExecutorOptions.defaults(), watchdog)) {
            GuestResponse response = handler.handle(new GuestRequest("GET", "/", List.of(), new byte[0],
                    "127.0.0.1:1", "HTTP/1.1"));
            assertEquals(200, response.status());
            assertEquals("hello from a component\n", new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    /** A warm load takes compiled classes from the cache and parses its core modules without validating them again. */
    @Test
    void aWarmLoadFromTheCompileCacheServes() throws Exception {
        Path source = write("http-hello");
        dev.edge.wasm.CompileCache cold = dev.edge.wasm.CompileCache.at(dir.resolve("cache"));
        dev.edge.wasm.CompileCache warm = dev.edge.wasm.CompileCache.at(dir.resolve("cache"));
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog()) {
            ComponentHttpHandlers.load(manifestComponent(source, Optional.empty()), dir, dir.resolve(".spin"), null,
                    Map.of(), GuestLimits.defaults(), ExecutorOptions.defaults().withCompileCache(cold), watchdog).close();
            assertEquals(0, cold.hits());
            try (GuestHandler handler = ComponentHttpHandlers.load(manifestComponent(source, Optional.empty()), dir,
                    dir.resolve(".spin"), null, Map.of(), GuestLimits.defaults(),
                    ExecutorOptions.defaults().withCompileCache(warm), watchdog)) {
                assertTrue(warm.hits() > 0);
                assertEquals(0, warm.misses());
                GuestResponse response = handler.handle(new GuestRequest("GET", "/", List.of(), new byte[0],
                        "127.0.0.1:1", "HTTP/1.1"));
                assertEquals("hello from a component\n", new String(response.body(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aCoreModuleIsNotAComponent() throws Exception {
        Path core = dir.resolve("core.wasm");
        Files.write(core, new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        assertFalse(ComponentHttpHandlers.isComponent(core));
    }

    @Test
    void loadErrorsAreOneLineWasmLoadExceptions() throws Exception {
        Path source = write("http-hello");
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog()) {
            WasmLoadException e = assertThrows(WasmLoadException.class, () -> ComponentHttpHandlers.load(
                    manifestComponent(source, Optional.of("sha256:00")), dir, dir.resolve(".spin"), null, Map.of(),
                    GuestLimits.defaults(), ExecutorOptions.defaults(), watchdog));
            assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
            Path values = write("values");
            e = assertThrows(WasmLoadException.class, () -> ComponentHttpHandlers.load(
                    manifestComponent(values, Optional.empty()), dir, dir.resolve(".spin"), null, Map.of(),
                    GuestLimits.defaults(), ExecutorOptions.defaults(), watchdog));
            assertEquals("component 'hello': cannot load " + values
                    + ": component imports test:host/values@0.1.0, which edge does not provide", e.getMessage());
        }
    }
}
