package dev.edge.loadtest;

import dev.edge.component.executor.ComponentHttpHandler;
import dev.edge.component.executor.ComponentHttpHandlers;
import dev.edge.component.executor.InstanceContext;
import dev.edge.component.runtime.Component;
import dev.edge.component.runtime.ComponentInstance;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.StoreBackend;
import dev.edge.kv.memory.InMemoryStoreBackend;
import dev.edge.wasm.CompileCache;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;

/**
 * Heap per concurrent instance of a component: loads it once (compiled code shared by every instance; use a
 * warm compile cache), then prints the used heap after full GCs (a) with N fresh instances alive at once, as
 * instantiated (linear memory from the snapshot, tables, handle table), and (b) with N {@code GET /get/rs}
 * requests in flight at once, each held inside its key-value {@code get} (so each instance has run the
 * JavaScript handler up to the store and grown as it needed to; {@code rs} is stored, so the tutorial's
 * handler calls {@code exists} and then {@code get}), per instance.
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
        live.clear();

        Semaphore inGet = new Semaphore(0);
        CountDownLatch release = new CountDownLatch(1);
        ComponentHttpHandler.States states = TutorialStates.on(holding(inGet, release));
        long idle = usedAfterGc();
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog()) {
            ComponentHttpHandler handler = new ComponentHttpHandler("hello", component, states,
                    new GuestLimits(1L << 30, Duration.ofSeconds(600), 1 << 20, 1 << 20, 1), watchdog);
            List<Thread> requests = new ArrayList<>();
            int[] statuses = new int[n];
            for (int i = 0; i < n; i++) {
                int at = i;
                Thread thread = new Thread(() -> {
                    try {
                        statuses[at] = handler.handle(new GuestRequest("GET", "/get/rs",
                                List.of(Map.entry("host", "localhost:3000")), new byte[0], "127.0.0.1:5000",
                                "HTTP/1.1")).status();
                    } catch (Exception e) {
                        e.printStackTrace();
                        statuses[at] = -1;
                    }
                });
                thread.start();
                requests.add(thread);
            }
            if (!inGet.tryAcquire(n, 10, java.util.concurrent.TimeUnit.MINUTES)) {
                release.countDown();
                for (Thread t : requests) {
                    t.join();
                }
                throw new IllegalStateException("not every request reached its key-value get; statuses "
                        + java.util.Arrays.toString(statuses));
            }
            long inFlight = usedAfterGc();
            release.countDown();
            for (Thread t : requests) {
                t.join();
            }
            System.out.printf("%d requests in flight (each inside its key-value get): %d MiB, %.1f MiB each;"
                    + " statuses %s%n", n, (inFlight - idle) >> 20, (inFlight - idle) / 1048576.0 / n,
                    java.util.Arrays.toString(statuses));
        }
    }

    /** An in-memory store whose {@code get} waits for {@code release}, counting each waiter on {@code inGet}. */
    private static StoreBackend holding(Semaphore inGet, CountDownLatch release) {
        InMemoryStoreBackend memory = new InMemoryStoreBackend();
        memory.open("hello", "default").set("rs", "{\"firstName\":\"River\",\"lastName\":\"Scott\"}"
                .getBytes(StandardCharsets.UTF_8));
        return new StoreBackend() {
            @Override
            public KeyValueStore open(String appName, String label) {
                KeyValueStore store = memory.open(appName, label);
                return (KeyValueStore) Proxy.newProxyInstance(KeyValueStore.class.getClassLoader(),
                        new Class<?>[] {KeyValueStore.class}, (proxy, method, methodArgs) -> {
                            if (method.getName().equals("getWithoutBlocking")) {
                                return null; // make the guest take the blocking get
                            }
                            if (method.getName().equals("get")) {
                                inGet.release();
                                release.await();
                            }
                            try {
                                return method.invoke(store, methodArgs);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }

            @Override
            public String describe() {
                return "in-memory, holding gets";
            }

            @Override
            public void close() {
                memory.close();
            }
        };
    }

    private static long usedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
