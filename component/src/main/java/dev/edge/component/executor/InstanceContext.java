package dev.edge.component.executor;

import dev.edge.component.host.ComponentTrap;
import dev.edge.component.host.HostContext;
import java.util.LinkedHashMap;
import java.util.Map;

/** The host states of one request's instance, by type; AutoCloseable states are closed after the request. */
public final class InstanceContext implements HostContext, AutoCloseable {
    private final Map<Class<?>, Object> states = new LinkedHashMap<>();

    public InstanceContext with(Object state) {
        states.put(state.getClass(), state);
        return this;
    }

    @Override
    public <T> T get(Class<T> type) {
        Object state = states.get(type);
        if (state == null) {
            throw new ComponentTrap("no " + type.getSimpleName() + " for this instance (edge did not grant it)");
        }
        return type.cast(state);
    }

    /** The state of {@code type} if the request has one. */
    public <T> java.util.Optional<T> find(Class<T> type) {
        return java.util.Optional.ofNullable(states.get(type)).map(type::cast);
    }

    @Override
    public void close() {
        for (Object state : states.values()) {
            if (state instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // the request is over; a failing close must not replace its outcome
                }
            }
        }
    }
}
