package dev.edge.component.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edge.component.TestComponents;
import dev.edge.component.host.ComponentTrap;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Instances reset to their state as instantiated and reused (stateful.wat: its answer counts what earlier
 * calls left in a global, memory, a table, the memory's size, a grown page and two dropped segments).
 */
class InstancePoolTest {
    private static final long MEMORY = 16L << 20;
    private static final int FIRST_ANSWER = 1011;

    private static Component load(int poolSize) throws ComponentLoadException {
        return Component.load(TestComponents.bytes("stateful"), List.of(), MEMORY, null, poolSize);
    }

    @Test
    void theTestComponentSeesWhatAnEarlierCallLeft() throws ComponentLoadException {
        // Without this the equivalence below would prove nothing: one instance called twice answers differently.
        ComponentInstance instance = load(1).instantiate(ComponentRuntimeTest.CONTEXT);
        assertEquals(FIRST_ANSWER, instance.function("count").call());
        ComponentTrap second = assertThrows(ComponentTrap.class, () -> instance.function("count").call(),
                "the dropped data segment makes a second call trap");
        assertTrue(second.getMessage().contains("out of bounds"), second.getMessage());
    }

    @Test
    void aResetInstanceAnswersLikeAFreshOne() throws ComponentLoadException {
        Component component = load(1);
        ComponentInstance first = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertTrue(first.pooled());
        first.close();
        for (int i = 0; i < 50; i++) {
            ComponentInstance instance = component.instantiate(ComponentRuntimeTest.CONTEXT);
            assertSame(first, instance, "request " + i + " reuses the pooled instance");
            assertEquals(FIRST_ANSWER, instance.function("count").call(), "request " + i);
            instance.close();
        }
    }

    @Test
    void aTrappedInstanceIsNeverReused() throws ComponentLoadException {
        Component component = load(1);
        ComponentInstance trapped = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertThrows(ComponentTrap.class, () -> trapped.function("trap").call());
        trapped.close();
        ComponentInstance next = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertNotSame(trapped, next);
        assertTrue(next.pooled(), "the trapped instance left its place in the pool to a new one");
        assertEquals(FIRST_ANSWER, next.function("count").call());
    }

    @Test
    void beyondThePoolInstancesAreUsedOnce() throws ComponentLoadException {
        Component component = load(1);
        ComponentInstance a = component.instantiate(ComponentRuntimeTest.CONTEXT);
        ComponentInstance b = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertTrue(a.pooled());
        assertFalse(b.pooled(), "the pool holds one instance");
        b.close();
        a.close();
        assertSame(a, component.instantiate(ComponentRuntimeTest.CONTEXT));
    }

    @Test
    void aClosedInstanceCannotBeCalled() throws ComponentLoadException {
        ComponentInstance instance = load(1).instantiate(ComponentRuntimeTest.CONTEXT);
        ComponentFunction count = instance.function("count");
        instance.close();
        instance.close(); // idempotent: the instance is in the pool once
        assertThrows(IllegalStateException.class, count::call);
    }

    @Test
    void concurrentRequestsEachGetAnInstanceAsInstantiated() throws Exception {
        Component component = load(2);
        Set<ComponentInstance> seen = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        ComponentInstance instance = component.instantiate(ComponentRuntimeTest.CONTEXT);
                        seen.add(instance);
                        assertEquals(FIRST_ANSWER, instance.function("count").call());
                        instance.close();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        long pooled = seen.stream().filter(ComponentInstance::pooled).count();
        assertTrue(pooled <= 2, pooled + " pooled instances, the pool holds 2");
        assertTrue(seen.size() < 800, "pooled instances were reused: " + seen.size() + " instances for 800 calls");
    }

    @Test
    void withoutAPoolEveryInstanceIsNew() throws ComponentLoadException {
        Component component = load(0);
        ComponentInstance a = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertFalse(a.pooled());
        assertEquals(FIRST_ANSWER, a.function("count").call());
        a.close();
        ComponentInstance b = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertNotSame(a, b);
        assertEquals(FIRST_ANSWER, b.function("count").call());
    }
}
