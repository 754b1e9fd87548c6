package dev.edge.component.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edge.component.TestComponents;
import dev.edge.component.host.ComponentTrap;
import dev.edge.wasm.GuestMemoryExhausted;
import dev.edge.wasm.MemoryBudget;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Component instances' linear memory comes out of the node's guest budget (grower.wat: one page as instantiated,
 * "grow" answers memory.grow's result, "trap" grows a page and traps; grower-shared.wat: the same "grow" on a
 * shared memory, which wasm-exec's SharedBudgetedMemory budgets instead of the pooled ResettableMemory).
 */
class ComponentMemoryBudgetTest {
    private static final long PAGE = 65536;
    private static final long MAX_MEMORY = 16L << 20; // 256 pages: the budget, not max_memory, is the limit here

    private static Component load(MemoryBudget budget, int poolSize) throws ComponentLoadException {
        return Component.load(TestComponents.bytes("grower"), List.of(), MAX_MEMORY, null, poolSize, budget);
    }

    private static int grow(ComponentInstance instance, int pages) {
        return (Integer) instance.function("grow").call(pages);
    }

    @Test
    void aGrowPastTheBudgetFailsInsideTheGuestAndANewInstanceIsRefused() throws ComponentLoadException {
        MemoryBudget budget = new MemoryBudget("guest memory", 3 * PAGE);
        Component component = load(budget, 2);
        ComponentInstance instance = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertEquals(PAGE, budget.used(), "the initial page is reserved");
        assertEquals(-1, grow(instance, 5), "the budget cannot cover 5 more pages: memory.grow fails as past max_memory");
        assertEquals(1, grow(instance, 2));
        assertEquals(3 * PAGE, budget.used());
        assertEquals(-1, grow(instance, 1));
        assertThrows(GuestMemoryExhausted.class, () -> component.instantiate(ComponentRuntimeTest.CONTEXT),
                "nothing idle to reclaim: the new instance cannot get its initial page");
        assertEquals(3 * PAGE, budget.used(), "the refused instance holds nothing");
        instance.close();
        component.close();
        assertEquals(0, budget.used(), "back to the baseline once the component is closed");
    }

    @Test
    void aResetGivesBackTheGrownPages() throws ComponentLoadException {
        MemoryBudget budget = new MemoryBudget("guest memory", 8 * PAGE);
        Component component = load(budget, 1);
        ComponentInstance instance = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertEquals(1, grow(instance, 4));
        assertEquals(5 * PAGE, budget.used());
        instance.close();
        assertEquals(1, component.idleInstances(), "reset and pooled");
        assertEquals(PAGE, budget.used(), "the idle instance holds only its page as instantiated");
        ComponentInstance again = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertEquals(1, grow(again, 7), "the grown pages' bytes are back in the budget");
        again.close();
        component.close();
        assertEquals(0, budget.used());
    }

    @Test
    void idlePooledInstancesGiveTheirMemoryBackUnderPressure() throws ComponentLoadException {
        MemoryBudget budget = new MemoryBudget("guest memory", 2 * PAGE);
        Component cold = load(budget, 2);
        ComponentInstance a = cold.instantiate(ComponentRuntimeTest.CONTEXT);
        ComponentInstance b = cold.instantiate(ComponentRuntimeTest.CONTEXT);
        a.close();
        b.close();
        assertEquals(2, cold.idleInstances());
        assertEquals(2 * PAGE, budget.used(), "the budget is full of idle instances");

        Component busy = load(budget, 2);
        ComponentInstance instance = busy.instantiate(ComponentRuntimeTest.CONTEXT);
        assertEquals(1, cold.idleInstances(), "one idle instance made room for the new one");
        assertEquals(1, grow(instance, 1), "a grow under pressure is covered by the other idle instance");
        assertEquals(0, cold.idleInstances());
        assertEquals(2 * PAGE, budget.used());
        instance.close();
        busy.close();
        cold.close();
        assertEquals(0, budget.used());
    }

    @Test
    void everyDiscardGivesEverythingBack() throws ComponentLoadException {
        MemoryBudget budget = new MemoryBudget("guest memory", 16 * PAGE);
        Component component = load(budget, 1);

        ComponentInstance trapping = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertThrows(ComponentTrap.class, () -> trapping.function("trap").call());
        trapping.close();
        assertEquals(0, budget.used(), "a trapped instance is discarded with its pages");

        ComponentInstance pooled = component.instantiate(ComponentRuntimeTest.CONTEXT);
        ComponentInstance beyondPool = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertNotSame(pooled, beyondPool);
        assertEquals(1, grow(beyondPool, 3));
        beyondPool.close();
        assertEquals(PAGE, budget.used(), "an instance beyond the pool is used once and gives everything back");

        component.close();
        assertEquals(PAGE, budget.used(), "the instance in use keeps its memory until it is closed");
        pooled.close();
        assertEquals(0, budget.used(), "returned to a closed component: discarded");
        assertTrue(component.idleInstances() == 0);
    }

    @Test
    void withoutThePoolInstancesAreBudgetedAllTheSame() throws ComponentLoadException {
        MemoryBudget budget = new MemoryBudget("guest memory", 2 * PAGE);
        Component component = load(budget, 0);
        ComponentInstance instance = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertEquals(PAGE, budget.used());
        assertEquals(-1, grow(instance, 2));
        assertEquals(1, grow(instance, 1));
        assertThrows(GuestMemoryExhausted.class, () -> component.instantiate(ComponentRuntimeTest.CONTEXT));
        instance.close();
        assertEquals(0, budget.used());
    }

    @Test
    void aSharedMemoryIsBudgetedTooAndGivesEverythingBackOnClose() throws ComponentLoadException {
        MemoryBudget budget = new MemoryBudget("guest memory", 3 * PAGE);
        Component component = Component.load(TestComponents.bytes("grower-shared"), List.of(), MAX_MEMORY, null, 2, budget);
        ComponentInstance instance = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertEquals(PAGE, budget.used(), "the shared memory's initial page is reserved");
        assertEquals(1, (Integer) instance.function("wait").call(),
                "the memory is shared: memory.atomic.wait32 answers not-equal instead of trapping");
        assertEquals(-1, grow(instance, 5), "past the budget: memory.grow fails inside the guest");
        assertEquals(PAGE, budget.used(), "a refused grow reserves nothing");
        assertEquals(1, grow(instance, 2));
        assertEquals(3 * PAGE, budget.used());
        assertThrows(GuestMemoryExhausted.class, () -> component.instantiate(ComponentRuntimeTest.CONTEXT),
                "a new instance cannot get its initial page");
        assertEquals(3 * PAGE, budget.used(), "the refused instance holds nothing");
        instance.close();
        assertEquals(0, component.idleInstances(), "a shared memory cannot be reset: never pooled");
        assertEquals(0, budget.used(), "closing gives the grown pages back too");
        ComponentInstance again = component.instantiate(ComponentRuntimeTest.CONTEXT);
        assertEquals(1, grow(again, 2), "the bytes are back in the budget");
        again.close();
        component.close();
        assertEquals(0, budget.used());
    }
}
