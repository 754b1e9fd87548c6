package dev.edge.component.types;

import java.util.Map;

/** A component type's imports and exports by name (see {@link InstanceType} for what a type is). */
public record ComponentType(Map<String, Object> imports, Map<String, Object> exports) {
    public ComponentType {
        imports = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(imports));
        exports = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(exports));
    }
}
