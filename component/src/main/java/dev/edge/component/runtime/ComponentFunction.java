package dev.edge.component.runtime;

import dev.edge.component.types.FuncType;

/** A component-level function of one instance: a lifted core function or a host function. */
public interface ComponentFunction {
    FuncType type();

    /** Calls with arguments in the value model; returns the result or null. Traps throw ComponentTrap. */
    Object call(Object... args);
}
