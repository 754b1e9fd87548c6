package dev.edge.gateway;

import dev.edge.kv.KvRateLimits;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import dev.edge.wasm.GuestAdmission;
import dev.edge.wasm.GuestException;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.WasmHttpHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node's meters over what the lower modules count without Micrometer (docs/observability.md): JVM and
 * process figures, guest failures by reason and instance pools, key-value quota refusals and SQLite operations.
 */
final class NodeMeters {
    private NodeMeters() {}

    /** JVM memory, GC, threads, classes; process CPU, uptime and file descriptors. */
    static void jvmAndProcess(MeterRegistry registry, Deque<AutoCloseable> resources) {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        resources.push(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /**
     * {@code handler}, counting each {@link GuestException} by reason ({@code edge.guest.failures{component,reason}}:
     * trap, deadline, response_too_large, ...); every reason's series exists from the start, at 0.
     */
    static GuestHandler failuresCounted(GuestHandler handler, MeterRegistry registry) {
        Map<GuestException.Reason, Counter> counters = new EnumMap<>(GuestException.Reason.class);
        for (GuestException.Reason reason : GuestException.Reason.values()) {
            counters.put(reason, Counter.builder("edge.guest.failures")
                    .description("guest calls that failed, by component and reason (trap, deadline, ...)")
                    .tag("component", handler.componentId())
                    .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
        return new GuestHandler() {
            @Override
            public String componentId() {
                return handler.componentId();
            }

            @Override
            public GuestResponse handle(GuestRequest request) throws GuestException {
                try {
                    return handler.handle(request);
                } catch (GuestException e) {
                    counters.get(e.reason()).increment();
                    throw e;
                }
            }

            // A decorator must pass on every default method too: without these two the gateway never ran a guest
            // inline and parked every queued request on a worker (GuestExecutionGatewayTest).
            @Override
            public GuestResponse tryInline(GuestRequest request) throws GuestException {
                try {
                    return handler.tryInline(request);
                } catch (GuestException e) {
                    counters.get(e.reason()).increment();
                    throw e;
                }
            }

            @Override
            public void enter(Consumer<GuestAdmission.Permit> admitted, Runnable refused) {
                handler.enter(admitted, refused);
            }

            @Override
            public void close() {
                handler.close();
            }
        };
    }

    /** Instances a component's pool created and holds idle ({@link WasmHttpHandler}s; other executors have no pool). */
    static void instancePools(Collection<GuestHandler> handlers, MeterRegistry registry) {
        handlers.stream().distinct().filter(WasmHttpHandler.class::isInstance).map(WasmHttpHandler.class::cast)
                .forEach(handler -> {
                    FunctionCounter.builder("edge.guest.instantiations", handler, WasmHttpHandler::instancesCreated)
                            .description("guest instances created (a trap or deadline discards one)")
                            .tag("component", handler.componentId()).register(registry);
                    Gauge.builder("edge.guest.instances.idle", handler, WasmHttpHandler::idleInstances)
                            .description("guest instances pooled, ready for a request")
                            .tag("component", handler.componentId()).register(registry);
                    // Whether the inline path is taken (architecture.md, "The execution model"): answered on the IO
                    // thread, or abandoned there and re-run on a worker.
                    FunctionCounter.builder("edge.guest.inline", handler, WasmHttpHandler::inlineAnswered)
                            .description("guest requests tried inline on the IO thread, by outcome")
                            .tag("component", handler.componentId()).tag("outcome", "answered").register(registry);
                    FunctionCounter.builder("edge.guest.inline", handler, WasmHttpHandler::inlineAbandoned)
                            .description("guest requests tried inline on the IO thread, by outcome")
                            .tag("component", handler.componentId()).tag("outcome", "abandoned").register(registry);
                });
    }

    /** {@code edge.kv.quota.refusals{kind}} and {@code edge.kv.sqlite.op{op,outcome}}. */
    static void keyValue(KeyValueBackends backends, MeterRegistry registry) {
        KvRateLimits rates = backends.factor().rates();
        FunctionCounter.builder("edge.kv.quota.refusals", rates, KvRateLimits::readsRefused).tag("kind", "read")
                .description("key-value operations refused over the application's read_rps or write_rps")
                .register(registry);
        FunctionCounter.builder("edge.kv.quota.refusals", rates, KvRateLimits::writesRefused).tag("kind", "write")
                .description("key-value operations refused over the application's read_rps or write_rps")
                .register(registry);
        for (SqliteStoreBackend sqlite : backends.sqliteFiles()) {
            Map<String, Timer> timers = new ConcurrentHashMap<>();
            sqlite.onOperation((operation, succeeded, nanos) -> timers.computeIfAbsent(
                    operation + (succeeded ? "" : "\u0000"), key -> Timer.builder("edge.kv.sqlite.op")
                            .description("SQLite key-value operations, by operation and outcome")
                            .tag("op", operation).tag("outcome", succeeded ? "ok" : "error")
                            .register(registry))
                    .record(nanos, TimeUnit.NANOSECONDS));
        }
    }
}
