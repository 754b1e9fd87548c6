package dev.edge.component.host;

/**
 * Per-instance state that host functions share (the incoming request, the key-value handle table, the
 * component's environment, ...): each capability keeps its own object, looked up by type.
 */
public interface HostContext {
    /** The capability state of this type attached to the instance, or throws {@link ComponentTrap}. */
    <T> T get(Class<T> type);
}
