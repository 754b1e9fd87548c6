package dev.edge.component.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.ImportGlobal;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import com.dylibso.chicory.wasm.types.Value;
import dev.edge.component.binary.ComponentParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FunctionSplitter} on a real module (src/test/modules/split-interpreter.wat, a bytecode interpreter
 * shaped like the JavaScript engine's dispatch loop), with thresholds small enough to split it many times:
 * the split module must compute exactly what the original computes, interpreted and compiled.
 */
class FunctionSplitterTest {
    private static byte[] module() throws IOException {
        return resource("split-interpreter.wasm");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FunctionSplitterTest.class.getResourceAsStream("/modules/" + name)) {
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
        WasmModule runVoid = Parser.parse(FunctionSplitter.split(original, 40, 70));
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

    /**
     * src/test/modules/split-live.wat: 32 locals live across a dispatch loop, and the module's own globals (one
     * imported, one defined). Every helper takes at most {@link FunctionSplitter#MAX_PARAMS} locals and returns
     * only its exit code; the loop outlined whole has more live locals than that, which go through the globals
     * the split adds after the module's; and the split module computes what the original does.
     */
    @Test
    void liveLocalsBeyondTheParameterLimitGoThroughAddedGlobals() throws IOException {
        byte[] original = resource("split-live.wasm");
        WasmModule reference = Parser.parse(original);
        int functions = reference.functionSection().functionCount();
        Random random = new Random(11);
        int splitWays = 0;
        boolean spilled = false;
        for (int target = 100; target <= 950; target += 50) {
            byte[] bytes = FunctionSplitter.split(original, 40, target);
            if (bytes == original) {
                continue;
            }
            splitWays++;
            WasmModule split = Parser.parse(bytes);
            assertTrue(split.functionSection().functionCount() > functions);
            for (int f = functions; f < split.functionSection().functionCount(); f++) {
                FunctionType type = split.functionSection().getFunctionType(f, split.typeSection());
                assertEquals(List.of(ValType.I32), type.returns(), "target " + target + ", helper " + f);
                assertTrue(type.params().size() <= FunctionSplitter.MAX_PARAMS, "target " + target + ", helper " + f);
                spilled |= type.params().size() == FunctionSplitter.MAX_PARAMS;
            }
            assertTrue(split.globalSection().globalCount() > reference.globalSection().globalCount());
            var compiled = MachineFactoryCompiler.builder(split).withInterpreterFallback(InterpreterFallback.FAIL).compile();
            for (int round = 0; round < 100; round++) {
                byte[] program = new byte[128];
                random.nextBytes(program);
                int steps = random.nextInt(300);
                int seed = random.nextInt();
                String expected = runLive(Instance.builder(reference), program, steps, seed);
                String what = "target " + target + ", round " + round + ", " + steps + " steps";
                assertEquals(expected, runLive(Instance.builder(split), program, steps, seed), what + ", interpreted");
                assertEquals(expected, runLive(Instance.builder(split).withMachineFactory(compiled), program, steps, seed),
                        what + ", compiled");
            }
        }
        assertTrue(splitWays >= 5, "split " + splitWays + " ways");
        assertTrue(spilled, "no region had more live locals than MAX_PARAMS");
    }

    private static String runLive(Instance.Builder builder, byte[] program, int steps, int seed) {
        Instance instance = builder.withImportValues(ImportValues.builder()
                .addGlobal(new ImportGlobal("env", "seed", new GlobalInstance(Value.i32(seed)))).build()).build();
        instance.memory().write(0, program);
        long[] result = instance.export("run").apply(0, steps);
        return Arrays.toString(result) + " " + Arrays.toString(instance.export("count").apply());
    }

    /** The export's result and the state it left in memory. */
    private static String run(Instance instance, byte[] program, String fn, int steps) {
        instance.memory().write(0, program);
        long[] result = instance.export(fn).apply(0, steps);
        return Arrays.toString(result) + " " + Arrays.toString(instance.memory().readBytes(1024, 1100));
    }

    /** The tutorial's JavaScript engine: its 9 functions over 40 KB are split (111, the bytecode loop, to the target). */
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
