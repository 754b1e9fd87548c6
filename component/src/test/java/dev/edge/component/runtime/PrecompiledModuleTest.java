package dev.edge.component.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.OpCode;
import dev.edge.wasm.CompileCache;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warm load parses only the bodies of the functions Chicory interprets. The module is built here: function 0
 * is too large for one JVM method (so Chicory interprets it) and calls function 1, which compiles.
 * {@code big(x) = (x + ADDS) * 2}, {@code small(x) = x * 2}.
 */
class PrecompiledModuleTest {
    private static final int ADDS = 40_000;
    private static final byte[] MODULE = module();

    @TempDir
    Path dir;

    @Test
    void aWarmLoadParsesOnlyTheInterpretedBodiesAndRunsTheSame() throws Exception {
        CompileCache cold = CompileCache.at(dir);
        CoreModules.Compiled compiled = CoreModules.compile(MODULE, 0, cold);
        assertResults(compiled);

        byte[] classes = CompileCache.at(dir).classesOf(MODULE);
        assertEquals(Optional.of(Set.of(0)), PrecompiledModule.interpretedFunctions(classes));

        CompileCache warm = CompileCache.at(dir);
        CoreModules.Compiled precompiled = CoreModules.compile(MODULE, 0, warm);
        assertEquals(1, warm.hits());
        assertEquals(0, warm.misses());
        // The interpreted body is whole, the compiled one a stub that would trap if it were ever interpreted.
        assertEquals(ADDS * 2 + 3, precompiled.module().codeSection().getFunctionBody(0).instructions().size());
        var stub = precompiled.module().codeSection().getFunctionBody(1).instructions();
        assertEquals(OpCode.UNREACHABLE, stub.get(0).opcode());
        assertResults(precompiled);
    }

    @Test
    void keptBodiesAreByteForByteAndOthersBecomeUnreachable() {
        byte[] lean = PrecompiledModule.withBodiesOnly(MODULE, 0, Set.of(1));
        var module = Parser.builder().withValidation(false).build().parse(() -> new java.io.ByteArrayInputStream(lean));
        assertEquals(2, module.codeSection().functionBodies().length);
        assertEquals(OpCode.UNREACHABLE, module.codeSection().getFunctionBody(0).instructions().get(0).opcode());
        assertEquals(OpCode.I32_MUL, module.codeSection().getFunctionBody(1).instructions().get(2).opcode());
        assertTrue(lean.length < MODULE.length / 10);
        assertArrayEquals(MODULE, PrecompiledModule.withBodiesOnly(MODULE, 0, Set.of(0, 1)));
    }

    /** An entry that is not a jar of Chicory's classes is refused, never read as "nothing is interpreted". */
    @Test
    void anEntryThatIsNotChicorysJarIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PrecompiledModule.interpretedFunctions(new byte[] {1, 2}));
    }

    /** An intact entry whose classes do not load is deleted with a log line, and the module compiled again. */
    @Test
    void anEntryWhoseClassesDoNotLoadIsRebuilt() throws Exception {
        CompileCache cache = CompileCache.at(dir);
        cache.putIfAbsent(CompileCache.chicoryDigest(MODULE), "not a jar".getBytes());
        CoreModules.Compiled compiled = CoreModules.compile(MODULE, 0, cache);
        assertEquals(1, cache.corrupt());
        assertResults(compiled);
        assertEquals(Optional.of(Set.of(0)), PrecompiledModule.interpretedFunctions(cache.classesOf(MODULE)));
        assertResults(CoreModules.compile(MODULE, 0, CompileCache.at(dir)));
    }

    private static void assertResults(CoreModules.Compiled compiled) {
        Instance instance = Instance.builder(compiled.module()).withMachineFactory(compiled.machineFactory()).build();
        assertEquals((5L + ADDS) * 2, instance.export("big").apply(5)[0]);
        assertEquals(14L, instance.export("small").apply(7)[0]);
    }

    private static byte[] module() {
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        big.write(0); // no locals
        big.writeBytes(new byte[] {0x20, 0}); // local.get 0
        for (int i = 0; i < ADDS; i++) {
            big.writeBytes(new byte[] {0x41, 1, 0x6a}); // i32.const 1, i32.add
        }
        big.writeBytes(new byte[] {0x10, 1, 0x0b}); // call 1, end
        byte[] small = {0, 0x20, 0, 0x41, 2, 0x6c, 0x0b}; // local.get 0, i32.const 2, i32.mul, end

        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.write(2);
        leb(code, big.size());
        code.writeBytes(big.toByteArray());
        leb(code, small.length);
        code.writeBytes(small);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(out, 1, new byte[] {1, 0x60, 1, 0x7f, 1, 0x7f}); // (i32) -> i32
        section(out, 3, new byte[] {2, 0, 0});
        section(out, 7, new byte[] {2, 3, 'b', 'i', 'g', 0, 0, 5, 's', 'm', 'a', 'l', 'l', 0, 1});
        section(out, 10, code.toByteArray());
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        leb(out, content.length);
        out.writeBytes(content);
    }

    private static void leb(ByteArrayOutputStream out, int value) {
        do {
            int b = value & 0x7f;
            value >>>= 7;
            out.write(value == 0 ? b : b | 0x80);
        } while (value != 0);
    }
}
