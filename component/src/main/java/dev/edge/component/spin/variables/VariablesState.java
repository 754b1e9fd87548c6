package dev.edge.component.spin.variables;

import java.util.Map;

/**
 * A component's resolved {@code variables} (its templates rendered against the application variables, as
 * {@code VariableResolver.componentVariables} gives them), for {@link SpinVariables}.
 */
public record VariablesState(String componentId, Map<String, String> variables) {
    public VariablesState {
        variables = Map.copyOf(variables);
    }
}
