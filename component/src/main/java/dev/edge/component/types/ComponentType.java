package dev.edge.component.types;

import java.util.Map;

/** A component type's imports and exports by name (see {@link InstanceType} for what a type is). */
public record ComponentType(Map<String, Object> imports, Map<String, Object> exports) {
    public ComponentType {
        imports = Map.copyOf(imports);
        exports = Map.copyOf(exports);
    }
}
