package dev.edge.component.runtime;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.edge.component.binary.ComponentFormatException;
import dev.edge.component.binary.ComponentParser;
import dev.edge.component.binary.Definition;
import dev.edge.component.binary.ParsedComponent;
import dev.edge.component.host.HostContext;
import dev.edge.component.host.HostFunction;
import dev.edge.component.host.HostInterface;
import dev.edge.component.types.FuncType;
import dev.edge.component.types.InstanceType;
import dev.edge.wasm.MemoryBudget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A component, loaded once: parsed, each core module compiled, and every import bound to a host
 * interface. {@link #instantiate} then gives an independent instance as instantiated (one per request).
 *
 * <p>Instantiating costs milliseconds for a large guest (the JavaScript engine's 7.4 MiB of memory alone), so
 * the component keeps a small pool of instances that {@link ComponentInstance#close} resets to their state
 * as instantiated (only the memory pages written are copied back). {@code -Dedge.componentPool=N} sets the
 * pool's size (default: the number of processors; 0 instantiates for every request).
 *
 * <p>Every instance's linear memory is reserved from the node's guest {@link MemoryBudget}, as a core-module
 * guest's is: idle pooled instances hold theirs, so the pool gives them up when the budget is under pressure
 * ({@link MemoryBudget#onPressure}), and {@link #close} gives back all the idle ones for good.
 */
public final class Component implements AutoCloseable {
    static final int POOL_SIZE = Integer.getInteger("edge.componentPool",
            Math.max(2, Runtime.getRuntime().availableProcessors()));

    private final ParsedComponent parsed;
    private final Map<Definition.CoreModule, CoreModules.Compiled> compiled;
    private final Map<String, Map<String, HostFunction>> imports;
    private final MemoryLimits memoryLimits;
    private final boolean resettable;
    private final int poolSize;
    private final MemoryBudget budget;
    private final MemoryBudget.Registration pressure;
    private volatile boolean closed;
    /** Reset instances waiting for a request, and how many pooled instances exist (idle or in use). */
    private final ArrayBlockingQueue<ComponentInstance> idle;
    private final AtomicInteger pooled = new AtomicInteger();
    /** One image per core memory (in instantiation order), shared by the pooled instances whose memory equals it. */
    private final List<byte[][]> images = new ArrayList<>();

    private Component(ParsedComponent parsed, Map<Definition.CoreModule, CoreModules.Compiled> compiled,
                      Map<String, Map<String, HostFunction>> imports, MemoryLimits memoryLimits, int poolSize,
                      MemoryBudget budget) {
        this.parsed = parsed;
        this.compiled = compiled;
        this.imports = imports;
        this.memoryLimits = memoryLimits;
        this.resettable = poolSize > 0 && compiled.values().stream().allMatch(c -> resettable(c.module()));
        this.poolSize = poolSize;
        this.idle = resettable ? new ArrayBlockingQueue<>(poolSize) : null;
        this.budget = budget;
        this.pressure = resettable ? budget.onPressure(this::reclaimIdle) : () -> { };
    }

    private static boolean resettable(com.dylibso.chicory.wasm.WasmModule module) {
        var memories = module.memorySection();
        if (memories.isPresent()) {
            for (int i = 0; i < memories.get().memoryCount(); i++) {
                if (memories.get().getMemory(i).limits().shared()) {
                    return false;
                }
            }
        }
        return CoreState.resettable(module);
    }

    /**
     * Parses, links against {@code hosts} and compiles. {@code maxMemoryBytes} caps every core memory
     * the component defines. Fails with a one-line message: a format error, or the first import that
     * no host interface provides (named with its version).
     */
    public static Component load(byte[] bytes, List<HostInterface> hosts, long maxMemoryBytes)
            throws ComponentLoadException {
        return load(bytes, hosts, maxMemoryBytes, null);
    }

    /**
     * Like {@link #load(byte[], List, long)}, reusing compiled code from {@code cache} (may be null); instances'
     * memories come out of the process-wide {@link MemoryBudget#guestDefault()}.
     */
    public static Component load(byte[] bytes, List<HostInterface> hosts, long maxMemoryBytes, Cache cache)
            throws ComponentLoadException {
        return load(bytes, hosts, maxMemoryBytes, cache, MemoryBudget.guestDefault());
    }

    /** As above, every instance's linear memory reserved from {@code guestMemory} (the node's guest budget). */
    public static Component load(byte[] bytes, List<HostInterface> hosts, long maxMemoryBytes, Cache cache,
                                 MemoryBudget guestMemory) throws ComponentLoadException {
        return load(bytes, hosts, maxMemoryBytes, cache, POOL_SIZE, guestMemory);
    }

    /** With at most {@code poolSize} instances reset and reused rather than instantiated (0: none). */
    static Component load(byte[] bytes, List<HostInterface> hosts, long maxMemoryBytes, Cache cache, int poolSize)
            throws ComponentLoadException {
        return load(bytes, hosts, maxMemoryBytes, cache, poolSize, MemoryBudget.guestDefault());
    }

    static Component load(byte[] bytes, List<HostInterface> hosts, long maxMemoryBytes, Cache cache, int poolSize,
                          MemoryBudget guestMemory) throws ComponentLoadException {
        ParsedComponent parsed;
        try {
            parsed = ComponentParser.parse(bytes);
        } catch (ComponentFormatException e) {
            throw new ComponentLoadException("invalid component: " + e.getMessage());
        }
        Map<String, Map<String, HostFunction>> imports = link(parsed, hosts);
        Map<Definition.CoreModule, CoreModules.Compiled> compiled = new IdentityHashMap<>();
        compileAll(parsed, compiled, cache);
        int pages = (int) Math.min(MemoryLimits.MAX_PAGES, Math.max(0, maxMemoryBytes / 65536));
        return new Component(parsed, compiled, imports, new MemoryLimits(0, pages), poolSize,
                java.util.Objects.requireNonNull(guestMemory, "guestMemory"));
    }

    private static void compileAll(ParsedComponent parsed, Map<Definition.CoreModule, CoreModules.Compiled> out,
                                   Cache cache) throws ComponentLoadException {
        for (Definition d : parsed.definitions()) {
            if (d instanceof Definition.CoreModule m && !out.containsKey(m)) {
                out.put(m, CoreModules.compile(m.bytes(), m.ordinal(), cache));
            } else if (d instanceof Definition.NestedComponent n) {
                compileAll(n.component(), out, cache);
            }
        }
    }

    private static Map<String, Map<String, HostFunction>> link(ParsedComponent parsed, List<HostInterface> hosts)
            throws ComponentLoadException {
        Map<String, Map<String, HostFunction>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> imp : parsed.imports().entrySet()) {
            String name = imp.getKey();
            if (!(imp.getValue() instanceof InstanceType type)) {
                throw new ComponentLoadException("component imports '" + name
                        + "', which is not an interface instance (edge provides only interfaces)");
            }
            HostInterface host = find(name, hosts);
            Map<String, HostFunction> functions = new HashMap<>();
            for (Map.Entry<String, Object> export : type.exports().entrySet()) {
                if (export.getValue() instanceof FuncType) {
                    HostFunction fn = host.functions().get(export.getKey());
                    if (fn == null) {
                        throw new ComponentLoadException("component imports function '" + export.getKey() + "' of "
                                + name + ", which edge's " + host.qualifiedName() + " does not provide");
                    }
                    functions.put(export.getKey(), fn);
                }
            }
            out.put(name, functions);
        }
        return out;
    }

    private static HostInterface find(String importName, List<HostInterface> hosts) throws ComponentLoadException {
        int at = importName.lastIndexOf('@');
        String name = at < 0 ? importName : importName.substring(0, at);
        String version = at < 0 ? null : importName.substring(at + 1);
        List<String> offered = new ArrayList<>();
        for (HostInterface host : hosts) {
            if (host.name().equals(name)) {
                if (version == null || Semver.compatible(version, host.version())) {
                    return host;
                }
                offered.add(host.qualifiedName());
            }
        }
        throw new ComponentLoadException("component imports " + importName + ", which edge does not provide"
                + (offered.isEmpty() ? "" : " (edge has " + String.join(", ", offered) + ")"));
    }

    /**
     * An instance as instantiated whose host functions see {@code context}: a pooled one reset after its last
     * use, or a new one. Traps during start-up throw ComponentTrap; {@link dev.edge.wasm.GuestMemoryExhausted} if
     * the guest budget cannot cover its initial memory (even after idle instances gave theirs back). Close it when
     * done.
     */
    public ComponentInstance instantiate(HostContext context) {
        if (!resettable) {
            return new ComponentInstance(this, context, false);
        }
        ComponentInstance reused = idle.poll();
        if (reused != null) {
            reused.reuse(context);
            return reused;
        }
        boolean join = pooled.incrementAndGet() <= poolSize;
        if (!join) {
            pooled.decrementAndGet(); // the pool is full: this one is used once
        }
        return new ComponentInstance(this, context, join);
    }

    /** A pooled instance, reset, is ready for the next request (unless the component is closed meanwhile). */
    void returnToPool(ComponentInstance instance) {
        if (closed || !idle.offer(instance)) {
            instance.discard(); // closed, or cannot happen: the queue holds every pooled instance
        } else if (closed && idle.remove(instance)) {
            instance.discard(); // close() drained the pool just before the offer
        }
    }

    /** Under budget pressure: drops idle instances (their memory back to the budget) until about {@code bytes} are freed. */
    private long reclaimIdle(long bytes) {
        long freed = 0;
        ComponentInstance instance;
        while (freed < bytes && (instance = idle.poll()) != null) {
            freed += instance.discard();
        }
        return freed;
    }

    /**
     * The component is no longer served (unloaded, or its app generation retired): its idle instances give their
     * memory back and it stops answering budget pressure; instances still in use are discarded when closed.
     */
    @Override
    public void close() {
        closed = true;
        pressure.close();
        if (idle != null) {
            ComponentInstance instance;
            while ((instance = idle.poll()) != null) {
                instance.discard();
            }
        }
    }

    /** Idle pooled instances (for tests). */
    int idleInstances() {
        return idle == null ? 0 : idle.size();
    }

    MemoryBudget budget() { return budget; }

    /** A pooled instance is gone (it trapped, could not be reset, or could not be snapshot). */
    void leavePool() {
        pooled.decrementAndGet();
    }

    /** Snapshots a new pooled instance's {@code index}-th memory, sharing the image of an earlier one if equal. */
    synchronized void snapshotMemory(int index, ResettableMemory memory) {
        byte[][] shared = index < images.size() ? images.get(index) : null;
        byte[][] kept = memory.snapshot(shared);
        if (index == images.size()) {
            images.add(kept);
        }
    }

    boolean resettable() { return resettable; }

    ParsedComponent parsed() { return parsed; }

    CoreModules.Compiled compiled(Definition.CoreModule module) { return compiled.get(module); }

    Map<String, HostFunction> hostFunctions(String importName) { return imports.get(importName); }

    MemoryLimits memoryLimits() { return memoryLimits; }

    /** The component's exports and their types (an instance export maps to an InstanceType). */
    public Map<String, Object> exports() { return parsed.exports(); }
}
