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
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A component, loaded once: parsed, each core module compiled, and every import bound to a host
 * interface. {@link #instantiate} then makes a fresh, independent instance cheaply (one per request).
 */
public final class Component {
    private final ParsedComponent parsed;
    private final Map<Definition.CoreModule, CoreModules.Compiled> compiled;
    private final Map<String, Map<String, HostFunction>> imports;
    private final MemoryLimits memoryLimits;

    private Component(ParsedComponent parsed, Map<Definition.CoreModule, CoreModules.Compiled> compiled,
                      Map<String, Map<String, HostFunction>> imports, MemoryLimits memoryLimits) {
        this.parsed = parsed;
        this.compiled = compiled;
        this.imports = imports;
        this.memoryLimits = memoryLimits;
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

    /** Like {@link #load(byte[], List, long)}, reusing compiled code from {@code cache} (may be null). */
    public static Component load(byte[] bytes, List<HostInterface> hosts, long maxMemoryBytes, Cache cache)
            throws ComponentLoadException {
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
        return new Component(parsed, compiled, imports, new MemoryLimits(0, pages));
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
        List<String> offered = new java.util.ArrayList<>();
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

    /** A fresh instance whose host functions see {@code context}. Traps during start-up throw ComponentTrap. */
    public ComponentInstance instantiate(HostContext context) {
        return new ComponentInstance(this, context);
    }

    ParsedComponent parsed() { return parsed; }

    CoreModules.Compiled compiled(Definition.CoreModule module) { return compiled.get(module); }

    Map<String, HostFunction> hostFunctions(String importName) { return imports.get(importName); }

    MemoryLimits memoryLimits() { return memoryLimits; }

    /** The component's exports and their types (an instance export maps to an InstanceType). */
    public Map<String, Object> exports() { return parsed.exports(); }
}
