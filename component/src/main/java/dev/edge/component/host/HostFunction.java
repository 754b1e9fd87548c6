package dev.edge.component.host;

/**
 * A host implementation of one imported component function, called with lifted arguments in the value
 * model described on {@link dev.edge.component.abi.Variant}. Returns the single result (null when the
 * function has none). Throwing {@link ComponentTrap} traps the calling instance; any other exception is
 * a host bug and also traps it, never the JVM.
 */
@FunctionalInterface
public interface HostFunction {
    Object call(HostContext context, Object[] args);
}
