package dev.edge.component.executor;

import dev.edge.component.host.ComponentTrap;
import dev.edge.component.runtime.Component;
import dev.edge.component.runtime.ComponentFunction;
import dev.edge.component.runtime.ComponentInstance;
import dev.edge.component.runtime.ComponentLoadException;
import dev.edge.component.spin.kv.KeyValueState;
import dev.edge.component.wasi.http.HttpExchange;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestException;
import dev.edge.wasm.GuestFailures;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestMemoryExhausted;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.util.Optional;

/**
 * The HTTP executor for components: every request gets an instance as instantiated (as Spin gives them;
 * the JavaScript components hang when an instance is called again), calls
 * {@code wasi:http/incoming-handler.handle} under the request deadline, and answers what the guest set on its
 * response-outparam. Traps and deadlines become {@link GuestException}s. The instance is closed after every
 * request: the component resets a pooled one to its snapshot for the next request, unless it trapped or
 * timed out (then it is discarded), see {@link Component#instantiate}.
 */
public final class ComponentHttpHandler implements GuestHandler {
    static final String HANDLER_PREFIX = "wasi:http/incoming-handler@0.2.";

    /** Adds the request's host states (CLI, files, key-value, outbound HTTP, ...) to its instance context. */
    @FunctionalInterface
    public interface States {
        void add(GuestRequest request, InstanceContext context);
    }

    private final String componentId;
    private final Component component;
    private final String handleExport;
    private final States states;
    private final GuestLimits limits;
    private final DeadlineWatchdog watchdog;
    private final GuestFailures failures;

    public ComponentHttpHandler(String componentId, Component component, States states, GuestLimits limits,
                                DeadlineWatchdog watchdog) throws ComponentLoadException {
        this.componentId = componentId;
        this.component = component;
        this.handleExport = component.exports().keySet().stream().filter(n -> n.startsWith(HANDLER_PREFIX))
                .findFirst().map(n -> n + "#handle")
                .orElseThrow(() -> new ComponentLoadException("component exports no " + HANDLER_PREFIX
                        + "x interface (exports: " + String.join(", ", component.exports().keySet()) + ")"));
        this.states = states;
        this.limits = limits;
        this.watchdog = watchdog;
        this.failures = new GuestFailures(componentId, limits.requestDeadline());
    }

    @Override
    public String componentId() {
        return componentId;
    }

    /**
     * Runs the guest. If a key-value call of the request was refused by the application's rate limit, the
     * answer is 429 with {@code retry-after} whatever the guest answered or however it failed, as for core
     * modules ({@code WasmHttpHandler}): guests commonly turn the error into a 500, and the client should
     * learn it can retry. An instance the guest-memory budget cannot cover is 503 with {@code Retry-After}, as for
     * core modules: the guest never ran.
     */
    @Override
    public GuestResponse handle(GuestRequest request) throws GuestException {
        InstanceContext context = new InstanceContext();
        try {
            GuestResponse response = run(request, context);
            return rateLimited(context).orElse(response);
        } catch (GuestException e) {
            if (e.reason() == GuestException.Reason.OVERLOADED) {
                return GuestResponse.overloaded();
            }
            return rateLimited(context).orElseThrow(() -> e);
        }
    }

    private static Optional<GuestResponse> rateLimited(InstanceContext context) {
        return context.find(KeyValueState.class).flatMap(KeyValueState::rateLimitedFor).map(GuestResponse::rateLimited);
    }

    private GuestResponse run(GuestRequest request, InstanceContext instanceContext) throws GuestException {
        HttpExchange exchange = new HttpExchange(request, limits.maxResponseBody());
        try (InstanceContext context = instanceContext) {
            states.add(request, context);
            context.with(exchange);
            DeadlineWatchdog.Watch watch = watchdog.watch(limits.requestDeadline());
            ComponentInstance instance = null;
            try {
                instance = component.instantiate(context);
                ComponentFunction handle = instance.function(handleExport);
                handle.call(exchange.incomingRequest(), exchange.responseOutparam());
            } catch (ComponentTrap e) {
                if (watch.finish()) {
                    throw failures.deadline(e);
                }
                throw new GuestException(GuestException.Reason.TRAP, componentId, "guest trapped: " + e.getMessage(), e);
            } catch (GuestMemoryExhausted e) {
                watch.finish();
                throw failures.overloaded(e.getMessage()); // 503 + Retry-After, as for a core-module guest
            } catch (RuntimeException e) {
                watch.finish();
                throw failures.internal(e);
            } finally {
                watch.finish();
                if (instance != null) {
                    instance.close();
                }
            }
        }
        HttpExchange.Outcome outcome = exchange.outcome();
        if (outcome instanceof HttpExchange.Outcome.Answered answered) {
            return answered.response();
        }
        if (outcome instanceof HttpExchange.Outcome.TooLarge tooLarge) {
            throw failures.responseTooLarge("response body larger than " + tooLarge.limit() + " bytes");
        }
        throw new GuestException(GuestException.Reason.TRAP, componentId,
                ((HttpExchange.Outcome.Failed) outcome).reason(), null);
    }

    @Override
    public void close() {
        component.close(); // its idle pooled instances give their memory back to the guest budget
    }
}
