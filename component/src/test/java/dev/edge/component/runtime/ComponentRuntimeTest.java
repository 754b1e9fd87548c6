package dev.edge.component.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edge.component.TestComponents;
import dev.edge.component.host.ComponentTrap;
import dev.edge.component.host.HostContext;
import dev.edge.component.host.HostInterface;
import dev.edge.wasm.DeadlineWatchdog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loads values.wat (component/src/test/components) against a host interface and calls its exports. */
class ComponentRuntimeTest {
    private static final String RUN = "test:guest/run@0.1.0#";
    private static final long MEMORY = 16L << 20;
    private static final List<Counter> COUNTERS = new ArrayList<>();
    private static Component component;

    /** The host resource behind the guest's counter handles. */
    static final class Counter implements AutoCloseable {
        int next;
        boolean closed;

        Counter(int start) {
            next = start;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static HostInterface host(String version) {
        return HostInterface.builder("test:host/values", version)
                .function("reverse", (ctx, args) -> new StringBuilder((String) args[0]).reverse().toString())
                .function("[constructor]counter", (ctx, args) -> {
                    Counter c = new Counter((Integer) args[0]);
                    COUNTERS.add(c);
                    return c;
                })
                .function("[method]counter.next", (ctx, args) -> ((Counter) args[0]).next++)
                .function("sum", (ctx, args) -> {
                    int sum = 0;
                    for (Object field : (Object[]) args[0]) {
                        sum += (Integer) field;
                    }
                    return sum;
                })
                .build();
    }

    static final HostContext CONTEXT = new HostContext() {
        @Override
        public <T> T get(Class<T> type) {
            throw new ComponentTrap("no " + type.getSimpleName());
        }
    };

    @BeforeAll
    static void load() throws ComponentLoadException {
        component = Component.load(TestComponents.bytes("values"), List.of(host("0.1.7")), MEMORY);
    }

    @Test
    void callsAFunctionReExportedThroughANestedComponent() {
        ComponentInstance instance = component.instantiate(CONTEXT);
        assertEquals(5, instance.function(RUN + "add").call(2, 3));
        assertEquals(-2, instance.function(RUN + "add").call(-1, -1), "u32 travels as raw bits");
    }

    @Test
    void stringsCrossBothWaysThroughGuestMemory() {
        ComponentInstance instance = component.instantiate(CONTEXT);
        assertEquals("☃ olléh", instance.function(RUN + "shout").call("héllo ☃"));
        assertEquals("", instance.function(RUN + "shout").call(""));
    }

    @Test
    void moreThanSixteenFlatParametersTravelThroughMemoryBothWays() {
        Object[] args = new Object[17];
        for (int i = 0; i < 17; i++) {
            args[i] = i + 1;
        }
        assertEquals(153, component.instantiate(CONTEXT).function(RUN + "sum").call(args));
    }

    @Test
    void resourcesAreCreatedBorrowedAndDroppedThroughTheHandleTable() {
        ComponentInstance instance = component.instantiate(CONTEXT);
        int before = COUNTERS.size();
        assertEquals(11, instance.function(RUN + "count").call(10));
        Counter counter = COUNTERS.get(before);
        assertTrue(counter.closed, "resource.drop of an own handle closes the host resource");
        assertEquals(0, instance.liveHandles());
    }

    @Test
    void useAfterDropTrapsTheInstanceNotTheJvm() {
        ComponentInstance instance = component.instantiate(CONTEXT);
        ComponentTrap trap = assertThrows(ComponentTrap.class, () -> instance.function(RUN + "use-after-drop").call());
        assertTrue(trap.getMessage().startsWith("unknown handle 1 for counter"), trap.getMessage());
        ComponentTrap again = assertThrows(ComponentTrap.class, () -> instance.function(RUN + "add").call(1, 2));
        assertEquals("instance already trapped", again.getMessage());
        assertEquals(3, component.instantiate(CONTEXT).function(RUN + "add").call(1, 2), "a fresh instance is fine");
    }

    @Test
    void aResultStringPastTheEndOfMemoryTraps() {
        ComponentInstance instance = component.instantiate(CONTEXT);
        ComponentTrap trap = assertThrows(ComponentTrap.class, () -> instance.function(RUN + "bad-string").call());
        assertTrue(trap.getMessage().contains("out of bounds"), trap.getMessage());
    }

    @Test
    void aRunawayGuestIsStoppedByTheDeadlineWatchdog() {
        ComponentInstance instance = component.instantiate(CONTEXT);
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog()) {
            DeadlineWatchdog.Watch watch = watchdog.watch(Duration.ofMillis(200));
            assertThrows(ComponentTrap.class, () -> instance.function(RUN + "spin").call());
            assertTrue(watch.finish());
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void instancesAreIndependent() {
        ComponentInstance a = component.instantiate(CONTEXT);
        ComponentInstance b = component.instantiate(CONTEXT);
        assertThrows(ComponentTrap.class, () -> a.function(RUN + "use-after-drop").call());
        assertEquals(7, b.function(RUN + "add").call(3, 4));
    }

    @Test
    void aMissingInterfaceIsAOneLineLoadErrorNamingItsVersion() {
        ComponentLoadException e = assertThrows(ComponentLoadException.class,
                () -> Component.load(TestComponents.bytes("values"), List.of(host("0.2.0")), MEMORY));
        assertEquals("component imports test:host/values@0.1.0, which edge does not provide (edge has test:host/values@0.2.0)",
                e.getMessage());
        e = assertThrows(ComponentLoadException.class,
                () -> Component.load(TestComponents.bytes("values"), List.of(), MEMORY));
        assertEquals("component imports test:host/values@0.1.0, which edge does not provide", e.getMessage());
    }

    @Test
    void aMissingFunctionIsALoadError() {
        HostInterface partial = HostInterface.builder("test:host/values", "0.1.0")
                .function("reverse", (ctx, args) -> args[0]).build();
        ComponentLoadException e = assertThrows(ComponentLoadException.class,
                () -> Component.load(TestComponents.bytes("values"), List.of(partial), MEMORY));
        assertTrue(e.getMessage().startsWith("component imports function '[constructor]counter' of test:host/values@0.1.0"),
                e.getMessage());
    }

    @Test
    void hostCallsThroughAnIndirectionTableFilledAfterTheMainModule() throws ComponentLoadException {
        List<String> logged = new ArrayList<>();
        HostInterface log = HostInterface.builder("test:host/log", "0.1.0")
                .function("log", (ctx, args) -> {
                    logged.add((String) args[0]);
                    return null;
                }).build();
        Component indirect = Component.load(TestComponents.bytes("indirect"), List.of(log), MEMORY);
        indirect.instantiate(CONTEXT).function("run").call("hi ✓");
        assertEquals(List.of("hi ✓", "hi ✓"), logged);
    }

    @Test
    void semverCompatibility() {
        assertTrue(Semver.compatible("0.2.0", "0.2.12"));
        assertTrue(Semver.compatible("0.2.12", "0.2.3"));
        assertFalse(Semver.compatible("0.2.0", "0.3.0"));
        assertTrue(Semver.compatible("2.0.0", "2.1.0"));
        assertFalse(Semver.compatible("1.0.0", "2.0.0"));
        assertFalse(Semver.compatible("0.0.1", "0.0.2"));
    }

    @Test
    void instantiationTime() {
        int n = 200;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            component.instantiate(CONTEXT).function(RUN + "add").call(1, 1);
        }
        long perInstance = (System.nanoTime() - start) / n / 1000;
        // reported, not asserted (no timing asserts in unit tests)
        System.out.println("values component: instantiate + one call = " + perInstance + " µs");
    }
}
