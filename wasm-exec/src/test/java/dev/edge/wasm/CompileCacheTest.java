package dev.edge.wasm;

import static dev.edge.wasm.Guests.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompileCacheTest {
    private static final Path HELLO = Guests.guest("hello");
    private static final GuestLimits LIMITS = Guests.limits(Duration.ofSeconds(5));

    @TempDir
    Path dir;

    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();

    @AfterEach
    void tearDown() {
        watchdog.close();
    }

    @Test
    void secondLoadTakesTheClassesFromDiskAndServes() throws Exception {
        CompileCache first = CompileCache.at(dir);
        CompiledModule.loadHttp("hello", HELLO, Optional.empty(), LIMITS.maxMemoryBytes(), Optional.of(first));
        assertThat(first.misses()).isEqualTo(1);
        assertThat(entries()).hasSize(1);

        CompileCache second = CompileCache.at(dir);
        CompiledModule cached = CompiledModule.loadHttp("hello", HELLO, Optional.empty(), LIMITS.maxMemoryBytes(),
                Optional.of(second));

        assertThat(second.hits()).isEqualTo(1);
        assertThat(second.misses()).isZero();
        assertThat(serve(cached)).startsWith("hello GET /cached\n");
    }

    @Test
    void holdsTheBytesOfAModuleOnceItsClassesAreStored() throws Exception {
        byte[] hello = Files.readAllBytes(HELLO);
        CompileCache cache = CompileCache.at(dir);
        assertThat(cache.holds(hello)).isFalse();
        CompiledModule module = CompiledModule.loadHttp("hello", HELLO, Optional.empty(), LIMITS.maxMemoryBytes(),
                Optional.of(cache));
        assertThat(CompileCache.chicoryDigest(hello)).isEqualTo(module.module().digest());
        assertThat(cache.holds(hello)).isTrue();
        byte[] other = hello.clone();
        other[other.length - 1] ^= 1;
        assertThat(cache.holds(other)).isFalse();
    }

    @Test
    void corruptedEntryIsDetectedDeletedAndRebuilt() throws Exception {
        CompiledModule.loadHttp("hello", HELLO, Optional.empty(), LIMITS.maxMemoryBytes(),
                Optional.of(CompileCache.at(dir)));
        Path entry = entries()[0];
        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length / 2] ^= 0x5a;  // one flipped byte in the stored classes
        Files.write(entry, bytes);

        CompileCache cache = CompileCache.at(dir);
        CompiledModule rebuilt = CompiledModule.loadHttp("hello", HELLO, Optional.empty(), LIMITS.maxMemoryBytes(),
                Optional.of(cache));

        assertThat(cache.corrupt()).isEqualTo(1);
        assertThat(cache.hits()).isZero();
        assertThat(serve(rebuilt)).startsWith("hello GET /cached\n");
        assertThat(Files.readAllBytes(entry)).isNotEqualTo(bytes);
        CompileCache after = CompileCache.at(dir);
        CompiledModule.loadHttp("hello", HELLO, Optional.empty(), LIMITS.maxMemoryBytes(), Optional.of(after));
        assertThat(after.hits()).isEqualTo(1);
    }

    @Test
    void truncatedEntryIsAMiss() throws Exception {
        CompiledModule.loadHttp("hello", HELLO, Optional.empty(), LIMITS.maxMemoryBytes(),
                Optional.of(CompileCache.at(dir)));
        Path entry = entries()[0];
        Files.write(entry, java.util.Arrays.copyOf(Files.readAllBytes(entry), 10));

        CompileCache cache = CompileCache.at(dir);
        CompiledModule rebuilt = CompiledModule.loadHttp("hello", HELLO, Optional.empty(), LIMITS.maxMemoryBytes(),
                Optional.of(cache));

        assertThat(cache.corrupt()).isEqualTo(1);
        assertThat(serve(rebuilt)).startsWith("hello GET /cached\n");
    }

    @Test
    void otherOptionsOrVersionsUseOtherEntries() {
        CompileCache cache = CompileCache.at(dir);
        assertThat(cache.entry("sha-256:abc")).isNotEqualTo(new CompileCache(dir, "interpreter-fallback=FAIL")
                .entry("sha-256:abc"));
        assertThat(cache.entry("sha-256:abc")).isNotEqualTo(cache.entry("sha-256:abd"));
        assertThat(CompileCache.CHICORY_VERSION).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    private Path[] entries() throws Exception {
        try (var files = Files.list(dir)) {
            return files.toArray(Path[]::new);
        }
    }

    private String serve(CompiledModule module) throws Exception {
        try (WasmHttpHandler handler = new WasmHttpHandler(module, null, java.util.Set.of(), Map.of(), Map.of(),
                LIMITS, ExecutorOptions.defaults(), watchdog)) {
            return Guests.text(handler.handle(request("GET", "/cached", "")));
        }
    }
}
