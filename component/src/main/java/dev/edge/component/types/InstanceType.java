package dev.edge.component.types;

import java.util.Map;

/**
 * The exports of an instance type, by name in declaration order: a {@link FuncType}, a {@link ValType}, a {@link ResourceType},
 * an {@link InstanceType} or a {@link ComponentType}.
 */
public record InstanceType(Map<String, Object> exports) {
    public InstanceType {
        exports = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(exports));
    }
}
