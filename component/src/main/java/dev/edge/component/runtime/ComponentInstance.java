package dev.edge.component.runtime;

import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportGlobal;
import com.dylibso.chicory.runtime.ImportTable;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ValType;
import dev.edge.component.abi.CallScope;
import dev.edge.component.abi.CanonicalAbi;
import dev.edge.component.abi.Flat;
import dev.edge.component.abi.HandleTable;
import dev.edge.component.binary.CanonOptions;
import dev.edge.component.binary.Definition;
import dev.edge.component.binary.ParsedComponent;
import dev.edge.component.binary.Sort;
import dev.edge.component.host.ComponentTrap;
import dev.edge.component.host.HostContext;
import dev.edge.component.host.HostFunction;
import dev.edge.component.types.FuncType;
import dev.edge.component.types.InstanceType;
import dev.edge.component.types.ResourceType;
import dev.edge.component.types.ValType.TupleType;
import dev.edge.wasm.BudgetedMemory;
import dev.edge.wasm.GuestMemoryExhausted;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance of a {@link Component}: its core instances, its handle table, and its exports. Made by
 * replaying the component's definitions in order; not thread-safe (one request at a time). A trap
 * leaves it unusable: discard it.
 *
 * <p>An instance of the component's pool ({@code pooled}) keeps a snapshot of its state as instantiated
 * (memories, globals, tables, segments); {@link #close} puts that state back and returns it to the pool, so
 * the next {@link Component#instantiate} gets an instance indistinguishable from a fresh one without
 * instantiating. One that trapped, or whose state cannot be restored, is dropped instead.
 *
 * <p>Its memories hold bytes of the component's guest budget until it is discarded (or closed, when not pooled);
 * a reset gives back the pages grown since instantiation.
 */
public final class ComponentInstance implements AutoCloseable {
    private final Component component;
    private HostContext context;
    private final HandleTable handles = new HandleTable();
    private final List<Instance> cores = new ArrayList<>();
    private final List<ResettableMemory> memories = new ArrayList<>();
    /** Shared memories (never reset, the component is not pooled): budgeted all the same. */
    private final List<BudgetedMemory> plainMemories = new ArrayList<>();
    private final Map<String, Object> exports;
    private boolean trapped;
    private boolean closed;
    /** Still instantiating; a host call now would make the snapshot depend on the host (not reproducible). */
    private boolean instantiating = true;
    private boolean calledHostWhileInstantiating;
    /** The state to go back to on close; null when the instance is not pooled. */
    private CoreState snapshot;

    ComponentInstance(Component component, HostContext context, boolean pooled) {
        this.component = component;
        this.context = context;
        try {
            this.exports = guard(() -> instantiate(component.parsed(), null));
        } catch (RuntimeException e) {
            releaseMemory();
            if (pooled) {
                component.leavePool();
            }
            throw e;
        }
        instantiating = false;
        if (pooled && !calledHostWhileInstantiating && memories.size() == memoryCount()) {
            for (int i = 0; i < memories.size(); i++) {
                component.snapshotMemory(i, memories.get(i));
            }
            snapshot = new CoreState(cores);
        } else if (pooled) {
            component.leavePool();
        }
    }

    /** The core memories this instance defines (all of them ResettableMemory when the component is resettable). */
    private int memoryCount() {
        int n = 0;
        for (Instance core : cores) {
            n += core.module().memorySection().map(s -> s.memoryCount()).orElse(0);
        }
        return n;
    }

    /** The pooled instance, back for another request: its host functions now see {@code context}. */
    void reuse(HostContext context) {
        this.context = context;
        this.closed = false;
    }

    /**
     * An exported function: {@code "name"} for a top-level function export, or
     * {@code "interface#function"} (e.g. {@code wasi:http/incoming-handler@0.2.0#handle}) for a function
     * of an exported instance.
     */
    public ComponentFunction function(String path) {
        int hash = path.indexOf('#');
        Object found = hash < 0 ? exports.get(path) : lookup(exports.get(path.substring(0, hash)), path.substring(hash + 1));
        if (!(found instanceof ComponentFunction fn)) {
            throw new IllegalArgumentException("component exports no function " + path);
        }
        return new ComponentFunction() {
            public FuncType type() { return fn.type(); }

            public Object call(Object... args) {
                if (trapped) {
                    throw new ComponentTrap("instance already trapped");
                }
                if (closed) {
                    throw new IllegalStateException("instance closed");
                }
                return guard(() -> fn.call(args));
            }
        };
    }

    /** Live handles in the instance's table (host resources it still owns or borrows). */
    public int liveHandles() {
        return handles.liveCount();
    }

    /**
     * Closes the host resources the instance still owns. A pooled instance that did not trap is put back to
     * its state as instantiated and returned to the component's pool; it must not be used after this.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        handles.closeAll();
        if (snapshot == null) {
            releaseMemory(); // used once: nothing keeps it
            return;
        }
        if (!trapped && reset()) {
            component.returnToPool(this);
        } else {
            discard();
        }
    }

    /**
     * Drops the instance for good (it trapped, could not be reset, or the pool gives it up): its memories go back
     * to the budget and a pooled one leaves the pool. Returns the bytes given back.
     */
    long discard() {
        long freed = releaseMemory();
        if (snapshot != null) {
            snapshot = null;
            component.leavePool();
        }
        return freed;
    }

    private long releaseMemory() {
        long freed = 0;
        for (ResettableMemory memory : memories) {
            freed += memory.reservedBytes();
            memory.release();
        }
        for (BudgetedMemory memory : plainMemories) {
            freed += (long) memory.pages() * Memory.PAGE_SIZE;
            memory.release();
        }
        plainMemories.clear();
        return freed;
    }

    private boolean reset() {
        for (ResettableMemory memory : memories) {
            memory.reset();
        }
        return snapshot.restore();
    }

    /** Whether close() returns this instance to the pool (for tests). */
    boolean pooled() {
        return snapshot != null;
    }

    @SuppressWarnings("unchecked")
    private static Object lookup(Object instance, String name) {
        return instance instanceof Map<?, ?> map ? ((Map<String, Object>) map).get(name) : null;
    }

    private <T> T guard(java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (ComponentTrap | GuestMemoryExhausted e) {
            trapped = true;
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            trapped = true;
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof ComponentTrap trap) {
                    throw trap;
                }
                if (c instanceof GuestMemoryExhausted exhausted) {
                    throw exhausted; // not the guest's fault: the request is answered as overloaded
                }
            }
            throw new ComponentTrap("wasm trap: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    // ------------------------------------------------------------------------------ instantiation

    /** The index spaces of one component being instantiated. */
    private static final class Frame {
        final Map<Sort, List<Object>> spaces = new EnumMap<>(Sort.class);

        List<Object> space(Sort sort) {
            return spaces.computeIfAbsent(sort, s -> new ArrayList<>());
        }

        Object get(Sort sort, int index) {
            List<Object> space = space(sort);
            if (index >= space.size()) {
                throw new ComponentTrap("link error: " + sort.label() + " index " + index + " out of range");
            }
            return space.get(index);
        }
    }

    /** A core instance: a Chicory instance or a bag of inline exports. */
    private interface CoreInstance {
        Object export(String name, Sort sort);
    }

    private record ChicoryCore(Instance instance) implements CoreInstance {
        public Object export(String name, Sort sort) {
            return switch (sort) {
                case CORE_FUNC -> {
                    var fn = instance.export(name);
                    yield new CoreFunc(instance.exportType(name), (inst, args) -> fn.apply(args), instance);
                }
                case CORE_MEMORY -> instance.exports().memory(name);
                case CORE_TABLE -> instance.exports().table(name);
                case CORE_GLOBAL -> instance.exports().global(name);
                default -> throw new ComponentTrap("link error: core " + sort.label() + " exports are not supported");
            };
        }
    }

    private record InlineCore(Map<String, Object> items) implements CoreInstance {
        public Object export(String name, Sort sort) {
            Object item = items.get(name);
            if (item == null) {
                throw new ComponentTrap("link error: core instance has no export '" + name + "'");
            }
            return item;
        }
    }

    /** Replays a component's definitions; returns its exports by name. */
    private Map<String, Object> instantiate(ParsedComponent parsed, Map<String, Object> args) {
        Frame f = new Frame();
        Map<String, Object> out = new LinkedHashMap<>();
        for (Definition d : parsed.definitions()) {
            Object value = define(f, d, args);
            if (d instanceof Definition.Export e) {
                out.put(e.name(), value);
            }
            f.space(d.sort()).add(value);
        }
        return out;
    }

    private Object define(Frame f, Definition d, Map<String, Object> args) {
        if (d instanceof Definition.CoreModule m) {
            return component.compiled(m);
        }
        if (d instanceof Definition.CoreInstantiate ci) {
            return coreInstantiate(f, ci);
        }
        if (d instanceof Definition.CoreInlineExports ce) {
            Map<String, Object> items = new HashMap<>();
            for (Definition.Item item : ce.exports()) {
                items.put(item.name(), f.get(item.sort(), item.index()));
            }
            return new InlineCore(items);
        }
        if (d instanceof Definition.CoreAlias a) {
            return ((CoreInstance) f.get(Sort.CORE_INSTANCE, a.coreInstance())).export(a.name(), a.sort());
        }
        if (d instanceof Definition.ExportAlias a) {
            Object found = lookup(f.get(Sort.INSTANCE, a.instance()), a.name());
            if (found == null && a.sort() != Sort.TYPE) {
                throw new ComponentTrap("link error: instance " + a.instance() + " has no export '" + a.name() + "'");
            }
            return found;
        }
        if (d instanceof Definition.NestedComponent n) {
            return n.component();
        }
        if (d instanceof Definition.Instantiate in) {
            Map<String, Object> nestedArgs = new HashMap<>();
            for (Definition.Item item : in.args()) {
                nestedArgs.put(item.name(), f.get(item.sort(), item.index()));
            }
            return instantiate((ParsedComponent) f.get(Sort.COMPONENT, in.component()), nestedArgs);
        }
        if (d instanceof Definition.InlineExports ie) {
            Map<String, Object> items = new LinkedHashMap<>();
            for (Definition.Item item : ie.exports()) {
                items.put(item.name(), f.get(item.sort(), item.index()));
            }
            return items;
        }
        if (d instanceof Definition.TypeDef t) {
            return t.type();
        }
        if (d instanceof Definition.CoreTypeDef) {
            return null;
        }
        if (d instanceof Definition.Lift l) {
            return lift(f, l);
        }
        if (d instanceof Definition.Lower l) {
            return lower(f, l);
        }
        if (d instanceof Definition.ResourceNew r) {
            return resourceBuiltin(1, a -> new long[] {CanonicalAbi.resourceNew(handles, r.resource(), (int) a[0])});
        }
        if (d instanceof Definition.ResourceRep r) {
            return resourceBuiltin(1, a -> new long[] {CanonicalAbi.resourceRep(handles, r.resource(), (int) a[0])});
        }
        if (d instanceof Definition.ResourceDrop r) {
            return resourceDrop(f, r.resource());
        }
        if (d instanceof Definition.Import imp) {
            return args != null ? args.get(imp.name()) : hostImport(imp);
        }
        Definition.Export e = (Definition.Export) d;
        return f.get(e.sort(), e.index());
    }

    private Object hostImport(Definition.Import imp) {
        if (!(imp.type() instanceof InstanceType type)) {
            return imp.type();
        }
        Map<String, HostFunction> functions = component.hostFunctions(imp.name());
        Map<String, Object> instance = new HashMap<>();
        type.exports().forEach((name, t) -> {
            if (t instanceof FuncType ft) {
                HostFunction fn = functions.get(name);
                String label = imp.name() + "#" + name;
                instance.put(name, new ComponentFunction() {
                    public FuncType type() { return ft; }

                    public Object call(Object... callArgs) {
                        if (instantiating) {
                            calledHostWhileInstantiating = true;
                        }
                        try {
                            return fn.call(context, callArgs);
                        } catch (ComponentTrap e) {
                            throw e;
                        } catch (RuntimeException e) {
                            throw new ComponentTrap("host function " + label + " failed: " + e, e);
                        }
                    }
                });
            } else {
                instance.put(name, t);
            }
        });
        return instance;
    }

    private CoreInstance coreInstantiate(Frame f, Definition.CoreInstantiate ci) {
        CoreModules.Compiled module = (CoreModules.Compiled) f.get(Sort.CORE_MODULE, ci.module());
        Map<String, CoreInstance> args = new HashMap<>();
        for (Definition.Item arg : ci.args()) {
            args.put(arg.name(), (CoreInstance) f.get(Sort.CORE_INSTANCE, arg.index()));
        }
        ImportValues.Builder imports = ImportValues.builder();
        var section = module.module().importSection();
        for (int i = 0; i < section.importCount(); i++) {
            Import imp = section.getImport(i);
            CoreInstance from = args.get(imp.module());
            if (from == null) {
                throw new ComponentTrap("link error: core module imports '" + imp.module() + "." + imp.name()
                        + "' but is instantiated without an instance named '" + imp.module() + "'");
            }
            ExternalType kind = imp.importType();
            switch (kind) {
                case FUNCTION -> imports.addFunction(((CoreFunc) from.export(imp.name(), Sort.CORE_FUNC))
                        .asImport(imp.module(), imp.name()));
                case MEMORY -> imports.addMemory(new ImportMemory(imp.module(), imp.name(),
                        (Memory) from.export(imp.name(), Sort.CORE_MEMORY)));
                case TABLE -> imports.addTable(new ImportTable(imp.module(), imp.name(),
                        (com.dylibso.chicory.runtime.TableInstance) from.export(imp.name(), Sort.CORE_TABLE)));
                case GLOBAL -> imports.addGlobal(new ImportGlobal(imp.module(), imp.name(),
                        (com.dylibso.chicory.runtime.GlobalInstance) from.export(imp.name(), Sort.CORE_GLOBAL)));
                default -> throw new ComponentTrap("link error: unsupported core import kind " + kind);
            }
        }
        Instance.Builder builder = Instance.builder(module.module())
                .withImportValues(imports.build())
                .withMachineFactory(module.machineFactory())
                .withMemoryLimits(memoryLimitsFor(module));
        // Budgeted either way; ResettableMemory also when never reset (a PagedMemory: runs as fast as Chicory's
        // ByteBufferMemory, where a delegate to ByteArrayMemory made the JavaScript guest 15 % slower: benchmarks.md).
        // A shared memory keeps that delegate, which has the atomics.
        builder.withMemoryFactory(limits -> {
            if (limits.shared()) {
                BudgetedMemory memory = BudgetedMemory.allocate(limits, component.budget());
                plainMemories.add(memory);
                return memory;
            }
            ResettableMemory memory = new ResettableMemory(limits, component.budget());
            memories.add(memory);
            return memory;
        });
        Instance instance = builder.build();
        cores.add(instance);
        return new ChicoryCore(instance);
    }

    private com.dylibso.chicory.wasm.types.MemoryLimits memoryLimitsFor(CoreModules.Compiled module) {
        var memories = module.module().memorySection();
        if (memories.isEmpty() || memories.get().memoryCount() == 0) {
            return null;
        }
        var declared = memories.get().getMemory(0).limits();
        int cap = component.memoryLimits().maximumPages();
        if (declared.initialPages() > cap) {
            throw new ComponentTrap("core memory needs " + declared.initialPages() + " pages, more than the limit of " + cap);
        }
        // Keep "shared": the memory factory gives a shared memory its own budgeted memory with the atomics.
        return new com.dylibso.chicory.wasm.types.MemoryLimits(declared.initialPages(),
                Math.min(declared.maximumPages(), cap), declared.shared());
    }

    // ------------------------------------------------------------------------------ canon built-ins

    private record Options(Memory memory, CoreFunc realloc, CoreFunc postReturn) {
        CanonicalAbi abi(HandleTable handles, CallScope scope) {
            CanonicalAbi.Realloc r = realloc == null ? null
                    : (oldPtr, oldSize, align, size) -> (int) realloc.call(oldPtr, oldSize, align, size)[0];
            return new CanonicalAbi(memory, r, handles, scope);
        }
    }

    private static Options options(Frame f, CanonOptions o) {
        return new Options(
                o.memory() < 0 ? null : (Memory) f.get(Sort.CORE_MEMORY, o.memory()),
                o.realloc() < 0 ? null : (CoreFunc) f.get(Sort.CORE_FUNC, o.realloc()),
                o.postReturn() < 0 ? null : (CoreFunc) f.get(Sort.CORE_FUNC, o.postReturn()));
    }

    /** {@code canon lift}: a component function calling a core function. */
    private ComponentFunction lift(Frame f, Definition.Lift l) {
        CoreFunc core = (CoreFunc) f.get(Sort.CORE_FUNC, l.coreFunc());
        Options opts = options(f, l.options());
        FuncType type = l.type();
        TupleType paramTuple = type.params().isEmpty() ? null : new TupleType(type.params());
        boolean paramsInMemory = CanonicalAbi.flattenAll(type.params()).size() > CanonicalAbi.MAX_FLAT_PARAMS;
        boolean resultInMemory = type.result() != null
                && CanonicalAbi.flatten(type.result()).size() > CanonicalAbi.MAX_FLAT_RESULTS;
        return new ComponentFunction() {
            public FuncType type() { return type; }

            public Object call(Object... args) {
                if (args.length != type.params().size()) {
                    throw new IllegalArgumentException("expected " + type.params().size() + " arguments, got " + args.length);
                }
                CallScope scope = new CallScope();
                CanonicalAbi abi = opts.abi(handles, scope);
                long[] coreArgs;
                if (paramsInMemory) {
                    int ptr = abi.allocate(CanonicalAbi.alignment(paramTuple), CanonicalAbi.size(paramTuple));
                    abi.store(paramTuple, args, ptr);
                    coreArgs = new long[] {ptr};
                } else {
                    List<Long> flat = new ArrayList<>();
                    for (int i = 0; i < args.length; i++) {
                        abi.lowerFlat(type.params().get(i), args[i], flat);
                    }
                    coreArgs = flat.stream().mapToLong(Long::longValue).toArray();
                }
                long[] raw = core.call(coreArgs);
                Object result = null;
                if (type.result() != null) {
                    result = resultInMemory ? abi.load(type.result(), (int) raw[0])
                            : abi.liftFlat(type.result(), new CanonicalAbi.FlatReader(raw));
                }
                if (opts.postReturn() != null) {
                    opts.postReturn().call(raw);
                }
                scope.checkBorrowsDropped();
                return result;
            }
        };
    }

    /** {@code canon lower}: a core function calling a component function (usually a host function). */
    private CoreFunc lower(Frame f, Definition.Lower l) {
        ComponentFunction callee = (ComponentFunction) f.get(Sort.FUNC, l.func());
        Options opts = options(f, l.options());
        FuncType type = callee.type();
        List<Flat> flatParams = CanonicalAbi.flattenAll(type.params());
        List<Flat> flatResults = type.result() == null ? List.of() : CanonicalAbi.flatten(type.result());
        boolean paramsInMemory = flatParams.size() > CanonicalAbi.MAX_FLAT_PARAMS;
        boolean resultInMemory = flatResults.size() > CanonicalAbi.MAX_FLAT_RESULTS;
        List<ValType> coreParams = new ArrayList<>();
        if (paramsInMemory) {
            coreParams.add(ValType.I32);
        } else {
            flatParams.forEach(p -> coreParams.add(p.core()));
        }
        List<ValType> coreResults = new ArrayList<>();
        if (resultInMemory) {
            coreParams.add(ValType.I32);
        } else {
            flatResults.forEach(r -> coreResults.add(r.core()));
        }
        TupleType paramTuple = type.params().isEmpty() ? null : new TupleType(type.params());
        WasmFunctionHandle handle = (inst, args) -> {
            CallScope scope = new CallScope();
            CanonicalAbi abi = opts.abi(handles, scope);
            Object[] lifted;
            if (paramsInMemory) {
                lifted = (Object[]) abi.load(paramTuple, (int) args[0]);
            } else {
                CanonicalAbi.FlatReader reader = new CanonicalAbi.FlatReader(args);
                lifted = new Object[type.params().size()];
                for (int i = 0; i < lifted.length; i++) {
                    lifted[i] = abi.liftFlat(type.params().get(i), reader);
                }
            }
            Object result;
            try {
                result = callee.call(lifted);
            } finally {
                scope.releaseLent();
            }
            if (type.result() == null) {
                return new long[0];
            }
            if (resultInMemory) {
                abi.store(type.result(), result, (int) args[args.length - 1]);
                return new long[0];
            }
            List<Long> out = new ArrayList<>();
            abi.lowerFlat(type.result(), result, out);
            return out.stream().mapToLong(Long::longValue).toArray();
        };
        return new CoreFunc(FunctionType.of(coreParams, coreResults), handle, null);
    }

    private interface Builtin {
        long[] apply(long[] args);
    }

    private CoreFunc resourceBuiltin(int results, Builtin body) {
        return new CoreFunc(FunctionType.of(List.of(ValType.I32), results == 1 ? List.of(ValType.I32) : List.of()),
                (inst, args) -> {
                    if (instantiating) {
                        calledHostWhileInstantiating = true; // the handle table would differ from a fresh one
                    }
                    return body.apply(args);
                }, null);
    }

    private CoreFunc resourceDrop(Frame f, ResourceType type) {
        return resourceBuiltin(0, args -> {
            Object rep = CanonicalAbi.resourceDrop(handles, type, (int) args[0]);
            if (type.defined() && type.destructor() >= 0 && rep != null) {
                ((CoreFunc) f.get(Sort.CORE_FUNC, type.destructor())).call((Integer) rep);
            }
            return new long[0];
        });
    }
}
