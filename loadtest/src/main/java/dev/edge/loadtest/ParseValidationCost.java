package dev.edge.loadtest;

import com.dylibso.chicory.wasm.Parser;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a warm start saves by parsing a component's big core module without Chicory's validation (the
 * component runtime does so when the compile cache holds the module's classes): parses the largest core module
 * of a component with and without validation, alternately, ROUNDS times, and prints each parse's thread CPU
 * time (steadier than wall time on a shared machine) and wall time.
 *
 * <pre>java -Xmx2g -cp loadtest/target/benchmarks.jar dev.edge.loadtest.ParseValidationCost COMPONENT.wasm [ROUNDS]</pre>
 */
public final class ParseValidationCost {
    private ParseValidationCost() {}

    public static void main(String[] args) throws Exception {
        byte[] module = CompileCacheStartup.largestCoreModule(Files.readAllBytes(Path.of(args[0])));
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Parser unvalidated = Parser.builder().withValidation(false).build();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf("core module: %,d bytes%n", module.length);
        for (int round = 1; round <= rounds; round++) {
            for (boolean validate : new boolean[] {true, false}) {
                long cpu = threads.getCurrentThreadCpuTime();
                long wall = System.nanoTime();
                if (validate) {
                    Parser.parse(module);
                } else {
                    unvalidated.parse(module);
                }
                System.out.printf("round %d %-11s cpu %.2f s, wall %.2f s%n", round,
                        validate ? "validated" : "unvalidated", (threads.getCurrentThreadCpuTime() - cpu) / 1e9,
                        (System.nanoTime() - wall) / 1e9);
            }
        }
    }
}
