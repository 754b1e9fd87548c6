package dev.edge.component.wasi;

import dev.edge.component.host.ComponentTrap;
import dev.edge.component.host.HostContext;
import dev.edge.component.spin.kv.KeyValueState;
import dev.edge.component.wasi.cli.CliState;
import dev.edge.component.wasi.http.HttpExchange;
import java.util.Map;

/**
 * The {@link HostContext} of one component instance serving one request ({@link ComponentHost#newRequest}):
 * the executor passes it to {@code Component.instantiate}, calls {@code handle} with {@link #exchange()}'s
 * request and outparam, reads {@code exchange().outcome()} (and {@link #keyValue()} for a rate limit), then
 * closes it.
 */
public final class InstanceHost implements HostContext, AutoCloseable {
    private final Map<Class<?>, Object> states;

    InstanceHost(Map<Class<?>, Object> states) {
        this.states = Map.copyOf(states);
    }

    @Override
    public <T> T get(Class<T> type) {
        Object state = states.get(type);
        if (state == null) {
            throw new ComponentTrap("the instance has no " + type.getSimpleName());
        }
        return type.cast(state);
    }

    public HttpExchange exchange() {
        return get(HttpExchange.class);
    }

    public KeyValueState keyValue() {
        return get(KeyValueState.class);
    }

    /** Emits the guest's partial last output lines. */
    @Override
    public void close() {
        get(CliState.class).drain();
    }
}
