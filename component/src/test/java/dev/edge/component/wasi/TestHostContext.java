package dev.edge.component.wasi;

import dev.edge.component.host.ComponentTrap;
import dev.edge.component.host.HostContext;
import dev.edge.component.host.HostInterface;
import java.util.HashMap;
import java.util.Map;

/** A {@link HostContext} holding the given states, and a way to call host functions by import name. */
public final class TestHostContext implements HostContext {
    private final Map<Class<?>, Object> states = new HashMap<>();

    public TestHostContext with(Object state) {
        states.put(state.getClass(), state);
        return this;
    }

    @Override
    public <T> T get(Class<T> type) {
        Object state = states.get(type);
        if (state == null) {
            throw new ComponentTrap("no " + type.getSimpleName() + " in this instance");
        }
        return type.cast(state);
    }

    public Object call(HostInterface iface, String function, Object... args) {
        var f = iface.functions().get(function);
        if (f == null) {
            throw new AssertionError(iface.qualifiedName() + " has no " + function);
        }
        return f.call(this, args);
    }
}
