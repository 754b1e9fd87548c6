package dev.edge.component.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.edge.component.binary.ComponentParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FunctionSplitter} on a real module (src/test/modules/split-interpreter.wat, a bytecode interpreter
 * shaped like the JavaScript engine's dispatch loop), with thresholds small enough to split it many times:
 * the split module must compute exactly what the original computes, interpreted and compiled.
 */
class FunctionSplitterTest {
    private static byte[] module() throws IOException {
        try (InputStream in = FunctionSplitterTest.class.getResourceAsStream("/modules/split-interpreter.wasm")) {
            return in.readAllBytes();
        }
    }

    private static int[] bodySizes(WasmModule module) {
        return Arrays.stream(module.codeSection().functionBodies())
                .mapToInt(b -> b.instructions().get(b.instructions().size() - 1).address()
                        - b.instructions().get(0).address())
                .toArray();
    }

    @Test
    void outlinesTheDispatchLoopIntoHelpersThatValidate() throws IOException {
        byte[] original = module();
        WasmModule before = Parser.parse(original);
        assertEquals(3, before.functionSection().functionCount());
        WasmModule run = Parser.parse(FunctionSplitter.split(original, 40, 200)); // validates
        assertTrue(run.functionSection().functionCount() >= 5, "helpers: " + run.functionSection().functionCount());
        assertTrue(bodySizes(run)[1] < bodySizes(before)[1] / 2, "run: " + bodySizes(before)[1] + " -> " + bodySizes(run)[1]);
        WasmModule runVoid = Parser.parse(FunctionSplitter.split(original, 40, 60));
        assertTrue(bodySizes(runVoid)[2] < bodySizes(before)[2], "run_void: " + bodySizes(before)[2] + " -> " + bodySizes(runVoid)[2]);
        assertEquals(before.exportSection().exportCount(), run.exportSection().exportCount());
    }

    @Test
    void theSplitModuleComputesExactlyWhatTheOriginalDoes() throws IOException {
        byte[] original = module();
        WasmModule reference = Parser.parse(original);
        Random random = new Random(42);
        int splitWays = 0;
        for (int target = 60; target <= 400; target += 20) { // each target outlines other regions
            byte[] bytes = FunctionSplitter.split(original, 40, target);
            if (bytes == original) {
                continue;
            }
            splitWays++;
            WasmModule split = Parser.parse(bytes);
            var compiled = MachineFactoryCompiler.builder(split).withInterpreterFallback(InterpreterFallback.FAIL).compile();
            for (int round = 0; round < 200; round++) {
                byte[] program = new byte[128];
                random.nextBytes(program);
                int steps = random.nextInt(300);
                String fn = round % 3 == 0 ? "run_void" : "run";
                String expected = run(Instance.builder(reference).build(), program, fn, steps);
                String what = "target " + target + ", round " + round + ", " + fn + " " + steps + " steps";
                assertEquals(expected, run(Instance.builder(split).build(), program, fn, steps), what + ", interpreted");
                assertEquals(expected, run(Instance.builder(split).withMachineFactory(compiled).build(), program, fn, steps),
                        what + ", compiled");
            }
        }
        assertTrue(splitWays >= 5, "split " + splitWays + " ways");
    }

    /** The export's result and the state it left in memory. */
    private static String run(Instance instance, byte[] program, String fn, int steps) {
        instance.memory().write(0, program);
        long[] result = instance.export(fn).apply(0, steps);
        return Arrays.toString(result) + " " + Arrays.toString(instance.memory().readBytes(1024, 1100));
    }

    /** The tutorial's JavaScript engine: its 9 functions over 40 KB are split (111, the bytecode loop, to 20 KB). */
    @Test
    void theTutorialEnginesLargeFunctionsComeOutSmallEnoughToCompile() throws IOException {
        Path tutorial = Path.of("../examples/hello-key-value-store-js/target/hello-key-value-store.wasm");
        byte[] engine = ComponentParser.parse(Files.readAllBytes(tutorial)).coreModules().get(0).bytes();
        Parser unvalidated = Parser.builder().withValidation(false).build(); // Chicory validates it at load
        int[] before = bodySizes(unvalidated.parse(engine));
        int[] after = bodySizes(unvalidated.parse(FunctionSplitter.split(engine)));
        assertEquals(9, Arrays.stream(before).filter(size -> size > FunctionSplitter.SPLIT_ABOVE).count());
        assertEquals(0, Arrays.stream(after).filter(size -> size > FunctionSplitter.SPLIT_ABOVE).count());
        assertTrue(after.length > before.length, before.length + " -> " + after.length + " functions");
        assertTrue(after[111 - 103] <= FunctionSplitter.TARGET, "function 111: " + after[111 - 103]);
    }

    @Test
    void modulesWithNothingTooLargeAreReturnedAsTheyAre() throws IOException {
        byte[] original = module();
        assertSame(original, FunctionSplitter.split(original));
        byte[] notWasm = "not a module".getBytes();
        assertSame(notWasm, FunctionSplitter.split(notWasm, 1, 1));
        byte[] truncated = Arrays.copyOf(original, original.length - 40);
        assertSame(truncated, FunctionSplitter.split(truncated, 40, 40));
    }

    /** Damaged input never throws: it comes back as it is, or split if it still decodes (Chicory then judges it). */
    @Test
    void corruptedModulesNeverThrow() throws IOException {
        byte[] original = module();
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] damaged = original.clone();
            damaged[8 + random.nextInt(damaged.length - 8)] = (byte) random.nextInt(256);
            FunctionSplitter.split(damaged, 40, 100);
        }
    }

    @Test
    void theSameInputSplitsTheSameWay() throws IOException {
        byte[] original = module();
        assertArrayEquals(FunctionSplitter.split(original, 40, 100), FunctionSplitter.split(original, 40, 100));
    }
}
