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

    /**
     * A main class that keeps an interpreter but hands no function to it by the switch Chicory 1.7 emits (say a
     * later Chicory's different code): unknown, so the caller parses every body rather than stubbing any.
     */
    @Test
    void anInterpreterWithoutTheKnownSwitchIsUnknown() throws Exception {
        assertEquals(Optional.empty(), PrecompiledModule.interpretedFunctions(jarWithMain(true, false)));
        assertEquals(Optional.of(Set.of()), PrecompiledModule.interpretedFunctions(jarWithMain(false, false)));
        assertEquals(Optional.of(Set.of(3, 7)), PrecompiledModule.interpretedFunctions(jarWithMain(true, true)));
    }

    private static byte[] jarWithMain(boolean interpreter, boolean lookupSwitch) throws Exception {
        var writer = new org.objectweb.asm.ClassWriter(org.objectweb.asm.ClassWriter.COMPUTE_FRAMES
                | org.objectweb.asm.ClassWriter.COMPUTE_MAXS);
        writer.visit(org.objectweb.asm.Opcodes.V17, org.objectweb.asm.Opcodes.ACC_PUBLIC, "test/Machine", null,
                "java/lang/Object", null);
        if (interpreter) {
            writer.visitField(org.objectweb.asm.Opcodes.ACC_PRIVATE, "compilerInterpreterMachine",
                    "Lcom/dylibso/chicory/runtime/internal/CompilerInterpreterMachine;", null, null).visitEnd();
        }
        var call = writer.visitMethod(org.objectweb.asm.Opcodes.ACC_PUBLIC, "call", "(I[J)[J", null, null);
        call.visitCode();
        if (lookupSwitch) {
            var dflt = new org.objectweb.asm.Label();
            var a = new org.objectweb.asm.Label();
            var b = new org.objectweb.asm.Label();
            call.visitVarInsn(org.objectweb.asm.Opcodes.ILOAD, 1);
            call.visitLookupSwitchInsn(dflt, new int[] {3, 7}, new org.objectweb.asm.Label[] {a, b});
            call.visitLabel(a);
            call.visitLabel(b);
            call.visitLabel(dflt);
        }
        call.visitInsn(org.objectweb.asm.Opcodes.ACONST_NULL);
        call.visitInsn(org.objectweb.asm.Opcodes.ARETURN);
        call.visitMaxs(0, 0);
        call.visitEnd();
        writer.visitEnd();
        ByteArrayOutputStream jar = new ByteArrayOutputStream();
        try (var out = new java.util.jar.JarOutputStream(jar)) {
            out.putNextEntry(new java.util.jar.JarEntry("wasm-module.properties"));
            out.write("mainClass=test.Machine\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
            out.putNextEntry(new java.util.jar.JarEntry("test/Machine.class"));
            out.write(writer.toByteArray());
            out.closeEntry();
        }
        return jar.toByteArray();
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
