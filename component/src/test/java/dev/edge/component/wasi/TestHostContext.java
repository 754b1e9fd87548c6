package dev.edge.component.wasi;

import dev.edge.component.executor.InstanceContext;
import dev.edge.component.host.HostContext;
import dev.edge.component.host.HostInterface;

/**
 * The executor's own {@link InstanceContext} holding the given states, and a way to call host functions by
 * import name.
 */
public final class TestHostContext implements HostContext {
    private final InstanceContext states = new InstanceContext();

    public TestHostContext with(Object state) {
        states.with(state);
        return this;
    }

    @Override
    public <T> T get(Class<T> type) {
        return states.get(type);
    }

    public Object call(HostInterface iface, String function, Object... args) {
        var f = iface.functions().get(function);
        if (f == null) {
            throw new AssertionError(iface.qualifiedName() + " has no " + function);
        }
        return f.call(this, args);
    }
}
