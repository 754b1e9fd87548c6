package dev.edge.component.binary;

import java.util.List;
import java.util.Map;

/**
 * A component binary, parsed: its definitions in order, its imports (name → declared type) and its
 * exports (name → static type where known), and the byte sizes of its core modules.
 */
public record ParsedComponent(List<Definition> definitions, Map<String, Object> imports,
                              Map<String, Object> exports) {
    public ParsedComponent {
        definitions = List.copyOf(definitions);
        imports = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(imports));
        exports = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(exports));
    }

    /** The core modules, in index order. */
    public List<Definition.CoreModule> coreModules() {
        return definitions.stream().filter(d -> d instanceof Definition.CoreModule)
                .map(d -> (Definition.CoreModule) d).toList();
    }

    public int count(Sort sort) {
        return (int) definitions.stream().filter(d -> d.sort() == sort).count();
    }
}
