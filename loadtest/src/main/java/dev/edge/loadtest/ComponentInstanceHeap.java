package dev.edge.loadtest;

import dev.edge.component.executor.ComponentHttpHandlers;
import dev.edge.component.executor.InstanceContext;
import dev.edge.component.runtime.Component;
import dev.edge.component.runtime.ComponentInstance;
import dev.edge.wasm.CompileCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap per concurrent instance of a component: loads it once (compiled code shared by every instance; use a
 * warm compile cache), then keeps N fresh instances alive at once, as N concurrent requests would, and
 * prints the used heap after full GCs before and after, per instance. Instances are measured as instantiated
 * (linear memory from the snapshot, tables, handle table), before a request grows them.
 *
 * <pre>java -Xmx4g -cp loadtest/target/benchmarks.jar dev.edge.loadtest.ComponentInstanceHeap COMPONENT.wasm CACHE_DIR [N]</pre>
 */
public final class ComponentInstanceHeap {
    private ComponentInstanceHeap() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        long before = usedAfterGc();
        Component component = Component.load(Files.readAllBytes(Path.of(args[0])),
                ComponentHttpHandlers.hostInterfaces(), 1L << 30, CompileCache.at(Path.of(args[1])));
        long loaded = usedAfterGc();
        List<ComponentInstance> live = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            live.add(component.instantiate(new InstanceContext()));
        }
        long withInstances = usedAfterGc();
        System.out.printf("loaded component (shared): %d MiB; %d live instances: %d MiB, %.1f MiB each%n",
                (loaded - before) >> 20, n, (withInstances - loaded) >> 20, (withInstances - loaded) / 1048576.0 / n);
        live.forEach(ComponentInstance::close);
    }

    private static long usedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
