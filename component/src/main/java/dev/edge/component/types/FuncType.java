package dev.edge.component.types;

import java.util.List;

/** A component function type; {@code result} is null when the function returns nothing. */
public record FuncType(List<String> paramNames, List<ValType> params, ValType result) {
    public FuncType {
        paramNames = List.copyOf(paramNames);
        params = List.copyOf(params);
    }
}
