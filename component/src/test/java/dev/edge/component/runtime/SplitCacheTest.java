package dev.edge.component.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import dev.edge.wasm.CompileCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warm load takes the split module from the state dir's cache instead of splitting again, and computes what a
 * cold load computes. The module is src/test/modules/split-interpreter.wat split with thresholds small enough
 * to change it (the default ones leave it as it is); a counting splitter shows when splitting happens.
 */
class SplitCacheTest {
    private static final String ID = "test-splitter-40/200";

    @TempDir
    Path dir;

    private final AtomicInteger splits = new AtomicInteger();
    private final UnaryOperator<byte[]> splitter = bytes -> {
        splits.incrementAndGet();
        return FunctionSplitter.split(bytes, 40, 200);
    };

    private static byte[] module() throws IOException {
        try (InputStream in = SplitCacheTest.class.getResourceAsStream("/modules/split-interpreter.wasm")) {
            return in.readAllBytes();
        }
    }

    @Test
    void aWarmLoadUsesTheStoredSplitAndComputesWhatAColdLoadDoes() throws Exception {
        byte[] original = module();
        CoreModules.Compiled cold = CoreModules.compile(original, 0, CompileCache.at(dir), ID, splitter);
        assertEquals(1, splits.get());
        assertTrue(cold.module().functionSection().functionCount() > 3, "the module was split");

        CompileCache warmCache = CompileCache.at(dir);
        CoreModules.Compiled warm = CoreModules.compile(original, 0, warmCache, ID, splitter);
        assertEquals(1, splits.get(), "not split again");
        assertEquals(1, warmCache.hits(), "its classes found by the stored digest");
        assertEquals(0, warmCache.misses());
        assertEquals(cold.module().functionSection().functionCount(), warm.module().functionSection().functionCount());
        assertSameResults(cold, warm);
    }

    @Test
    void theStoredSplitIsTheSplittersOutputWithChicorysDigest() throws Exception {
        byte[] original = module();
        byte[] expected = FunctionSplitter.split(original, 40, 200);
        for (int load = 0; load < 2; load++) { // computed, then read back
            SplitCache.Split split = SplitCache.split(dir, original, ID, splitter);
            assertArrayEquals(expected, split.bytes());
            assertEquals(CompileCache.chicoryDigest(expected), split.chicoryDigest());
        }
        assertEquals(1, splits.get());
    }

    /** A module the splitter leaves alone is remembered as such, without a copy of its bytes. */
    @Test
    void anUnchangedModuleIsStoredWithoutACopy() throws Exception {
        byte[] original = module();
        for (int load = 0; load < 2; load++) {
            SplitCache.Split split = SplitCache.split(dir, original, FunctionSplitter.ID, FunctionSplitter::split);
            assertSame(original, split.bytes());
            assertEquals(CompileCache.chicoryDigest(original), split.chicoryDigest());
        }
        assertTrue(Files.size(entry()) < 100, "entry of " + Files.size(entry()) + " bytes");
    }

    /** Another splitter (a new version, other thresholds) or other input bytes never read an entry. */
    @Test
    void entriesAreKeptApartBySplitterAndInput() throws Exception {
        byte[] original = module();
        SplitCache.split(dir, original, ID, splitter);
        SplitCache.split(dir, original, ID + "-next", splitter);
        byte[] other = original.clone();
        other[other.length - 1] ^= 1; // the cache keys any bytes; only their splitter judges them
        SplitCache.split(dir, other, ID, splitter);
        assertEquals(3, splits.get());
        assertEquals(3, entries().size());
    }

    /** A torn or damaged entry is deleted, the module split again (the same way) and the entry rewritten. */
    @Test
    void aCorruptedEntryIsRebuilt() throws Exception {
        byte[] original = module();
        CoreModules.Compiled cold = CoreModules.compile(original, 0, CompileCache.at(dir), ID, splitter);
        Path entry = entry();
        byte[] intact = Files.readAllBytes(entry);
        Random random = new Random(3);
        List<byte[]> damaged = List.of(
                Arrays.copyOf(intact, intact.length - 1),
                Arrays.copyOf(intact, 10),
                new byte[0],
                flip(intact, intact.length - 1),         // in the split bytes
                flip(intact, 30),                        // in the stored digest
                flip(intact, 8 + random.nextInt(intact.length - 8)));
        for (byte[] bad : damaged) {
            Files.write(entry, bad);
            int before = splits.get();
            CoreModules.Compiled rebuilt = CoreModules.compile(original, 0, CompileCache.at(dir), ID, splitter);
            assertEquals(before + 1, splits.get(), "split again");
            assertArrayEquals(intact, Files.readAllBytes(entry), "rewritten");
            assertSameResults(cold, rebuilt);
        }
        CoreModules.compile(original, 0, CompileCache.at(dir), ID, splitter);
        assertEquals(1 + damaged.size(), splits.get(), "the rewritten entry is used");
    }

    private static byte[] flip(byte[] bytes, int at) {
        byte[] copy = bytes.clone();
        copy[at] ^= 0x10;
        return copy;
    }

    private Path entry() throws IOException {
        List<Path> entries = entries();
        assertEquals(1, entries.size(), entries.toString());
        return entries.get(0);
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".split")).toList();
        }
    }

    private static void assertSameResults(CoreModules.Compiled expected, CoreModules.Compiled actual) {
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            byte[] program = new byte[128];
            random.nextBytes(program);
            int steps = random.nextInt(300);
            String fn = round % 3 == 0 ? "run_void" : "run";
            assertEquals(run(expected, program, fn, steps), run(actual, program, fn, steps), fn + " round " + round);
        }
    }

    /** The export's result and the state it left in memory. */
    private static String run(CoreModules.Compiled compiled, byte[] program, String fn, int steps) {
        Instance instance = Instance.builder(compiled.module()).withMachineFactory(compiled.machineFactory()).build();
        instance.memory().write(0, program);
        long[] result = instance.export(fn).apply(0, steps);
        return Arrays.toString(result) + " " + Arrays.toString(instance.memory().readBytes(1024, 1100));
    }
}
