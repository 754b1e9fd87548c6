package dev.edge.component.runtime;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Element;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.TypeSection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The state of a component instance's core instances that Wasm can change besides linear memory (which
 * {@link ResettableMemory} restores, with the data segments): mutable globals, table slots, element segments.
 * Taken right after instantiation, it puts them back after a call.
 *
 * <p>Chicory keeps other state per instance that cannot be put back: thrown exceptions (the exception-handling
 * proposal's tags) and GC objects. {@link #resettable} tells whether a module can create either; an instance of
 * one that can is never reset.
 */
final class CoreState {
    private final List<GlobalInstance> globals = new ArrayList<>();
    private final List<long[]> globalValues = new ArrayList<>();
    private final List<TableInstance> tables = new ArrayList<>();
    private final List<int[]> tableRefs = new ArrayList<>();
    private final List<Instance[]> tableInstances = new ArrayList<>();
    private final List<Instance> withElements = new ArrayList<>();
    private final List<Element[]> elements = new ArrayList<>();

    /** Whether every state an instance of {@code module} can change is one this class (or memory) restores. */
    static boolean resettable(WasmModule module) {
        if (module.tagSection().map(s -> s.tagCount() > 0).orElse(false)
                || module.importSection().count(ExternalType.TAG) > 0) {
            return false; // exceptions: Chicory's per-instance table of thrown exceptions only grows
        }
        TypeSection types = module.typeSection();
        for (int i = 0; i < types.subTypeCount(); i++) {
            if (types.getSubType(i).compType().funcType() == null) {
                return false; // struct or array types: GC objects live in the instance
            }
        }
        return true;
    }

    /** The state of {@code cores} as it is now; a global or table several of them share is taken once. */
    CoreState(List<Instance> cores) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Instance core : cores) {
            for (int i = 0; i < core.globalCount(); i++) {
                GlobalInstance g = core.global(i);
                if (g.getMutabilityType() == MutabilityType.Var && seen.add(g)) {
                    globals.add(g);
                    globalValues.add(new long[] {g.getValueLow(), g.getValueHigh()});
                }
            }
            for (int i = 0; i < core.tableCount(); i++) {
                TableInstance t = core.table(i);
                if (seen.add(t)) {
                    int[] refs = new int[t.size()];
                    Instance[] owners = new Instance[t.size()];
                    for (int slot = 0; slot < refs.length; slot++) {
                        refs[slot] = t.ref(slot);
                        owners[slot] = t.instance(slot);
                    }
                    tables.add(t);
                    tableRefs.add(refs);
                    tableInstances.add(owners);
                }
            }
            if (core.elementCount() > 0) {
                Element[] e = new Element[core.elementCount()];
                for (int i = 0; i < e.length; i++) {
                    e[i] = core.element(i);
                }
                withElements.add(core);
                elements.add(e);
            }
        }
    }

    /** Puts the state back; false if it cannot be (a table grew: the instance must be discarded). */
    boolean restore() {
        for (int i = 0; i < globals.size(); i++) {
            long[] v = globalValues.get(i);
            globals.get(i).setValueLow(v[0]);
            globals.get(i).setValueHigh(v[1]);
        }
        for (int i = 0; i < tables.size(); i++) {
            TableInstance t = tables.get(i);
            int[] refs = tableRefs.get(i);
            Instance[] owners = tableInstances.get(i);
            if (t.size() != refs.length) {
                return false;
            }
            for (int slot = 0; slot < refs.length; slot++) {
                if (t.ref(slot) != refs[slot] || t.instance(slot) != owners[slot]) {
                    t.setRef(slot, refs[slot], owners[slot]);
                }
            }
        }
        for (int i = 0; i < withElements.size(); i++) {
            Instance core = withElements.get(i);
            Element[] e = elements.get(i);
            for (int j = 0; j < e.length; j++) {
                if (core.element(j) != e[j]) {
                    core.setElement(j, e[j]);
                }
            }
        }
        return true;
    }
}
