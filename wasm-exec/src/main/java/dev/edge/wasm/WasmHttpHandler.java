package dev.edge.wasm;

import com.dylibso.chicory.wasm.ChicoryException;
import dev.edge.config.Component;
import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.StoreTable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP executor: runs a component's {@code edge_http_handle} for each request on the caller's thread.
 *
 * <p>Instances come from a per-component pool; an instance serves one request at a time. With
 * {@link InstancePolicy#REUSE} a healthy instance goes back to the pool after the request (at most
 * {@link GuestLimits#maxPooledInstances()} idle, and only while its memory is below
 * {@link ExecutorOptions#retainMemoryBytes()}); an instance that trapped, was interrupted, returned an
 * oversized response or hit any executor failure is discarded. Every request gets a fresh
 * {@link StoreTable} limited to the component's {@code key_value_stores}.
 */
public final class WasmHttpHandler implements GuestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WasmHttpHandler.class);

    private final CompiledModule module;
    private final String componentId;
    private final KeyValueFactor keyValues;
    private final Set<String> grants;
    private final Map<String, String> environment;
    private final Map<String, String> variables;
    private final GuestLimits limits;
    private final GuestFailures failures;
    private final ExecutorOptions options;
    private final DeadlineWatchdog watchdog;
    private final WasiSetup wasiSetup;
    private final ConcurrentLinkedDeque<GuestInstance> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicInteger instancesCreated = new AtomicInteger();
    private volatile boolean closed;
    private final MemoryBudget.Registration memoryPressure;
    /** Inline runs in a row that had to be abandoned; past the threshold only one request in 64 tries inline. */
    private volatile int inlineMisses;
    private final AtomicInteger inlineTickets = new AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder inlineAnswered = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder inlineAbandoned = new java.util.concurrent.atomic.LongAdder();
    private static final int INLINE_MISSES_BEFORE_BACKOFF = 4;
    private static final int INLINE_RETRY_MASK = 63;

    /**
     * @param module      the compiled module (see {@link CompiledModule#loadHttp})
     * @param keyValues   the application's key-value capability (null: no stores configured)
     * @param grants      the component's {@code key_value_stores} labels
     * @param environment the component's environment variables (WASI environ)
     * @param variables   the component's variables, templates resolved (read with {@code var_get})
     * @param watchdog    shared deadline watchdog (owned by the caller)
     */
    public WasmHttpHandler(CompiledModule module, KeyValueFactor keyValues, Set<String> grants,
                           Map<String, String> environment, Map<String, String> variables, GuestLimits limits,
                           ExecutorOptions options, DeadlineWatchdog watchdog) {
        this(module, keyValues, grants, environment, variables, limits, options, watchdog, WasiSetup.none());
    }

    /**
     * As above, with the component's extra WASI setup (e.g. its read-only {@code files}), which this handler
     * owns from now on and closes with it.
     */
    public WasmHttpHandler(CompiledModule module, KeyValueFactor keyValues, Set<String> grants,
                           Map<String, String> environment, Map<String, String> variables, GuestLimits limits,
                           ExecutorOptions options, DeadlineWatchdog watchdog, WasiSetup wasiSetup) {
        this.module = module;
        this.componentId = module.componentId();
        this.keyValues = keyValues != null ? keyValues : new KeyValueFactor("", Map.of());
        this.grants = Set.copyOf(grants);
        this.environment = Map.copyOf(environment);
        this.variables = Map.copyOf(variables);
        this.limits = limits;
        this.failures = new GuestFailures(componentId, limits.requestDeadline());
        this.options = options;
        this.memoryPressure = options.guestMemory().onPressure(this::closeIdle);
        this.watchdog = watchdog;
        this.wasiSetup = wasiSetup;
    }

    /**
     * Loads a manifest component: reads and verifies its {@code source}, compiles it once and creates a
     * first instance, so link errors (unknown imports, a failing {@code _initialize}) surface at load.
     */
    public static WasmHttpHandler load(Component component, KeyValueFactor keyValues,
                                       Map<String, String> resolvedVariables, GuestLimits limits,
                                       ExecutorOptions options, DeadlineWatchdog watchdog) throws WasmLoadException {
        CompiledModule module = CompiledModule.loadHttp(component.id(), component.source(), component.sourceDigest(),
                limits.maxMemoryBytes(), options.compileCache());
        WasmHttpHandler handler = new WasmHttpHandler(module, keyValues, Set.copyOf(component.keyValueStores()),
                component.environment(), resolvedVariables, limits, options, watchdog);
        handler.warmUp();
        return handler;
    }

    /** Creates one instance now (pooled under REUSE) so instantiation problems fail the load. */
    public void warmUp() throws WasmLoadException {
        GuestInstance instance;
        try {
            instance = newInstance();
        } catch (ChicoryException | StackOverflowError e) {
            throw new WasmLoadException(componentId, module.source(), "cannot instantiate module: "
                    + CompiledModule.describe(e), null);
        }
        release(instance, true);
    }

    @Override
    public String componentId() { return componentId; }

    public InstancePolicy policy() { return options.policy(); }

    /** Instances created so far (for tests and metrics). */
    public int instancesCreated() { return instancesCreated.get(); }

    /** Idle pooled instances. */
    public int idleInstances() { return idleCount.get(); }

    /** Requests {@link #tryInline} answered on the calling (IO) thread, failures included. */
    public long inlineAnswered() { return inlineAnswered.sum(); }

    /** Inline runs abandoned (a host call that must block, or past the budget) and left to {@link #handle}. */
    public long inlineAbandoned() { return inlineAbandoned.sum(); }

    /**
     * Runs the guest. If any key-value call of the request was refused by the application's rate limit, the
     * answer is 429 with {@code Retry-After} (whole seconds, at least 1) whatever the guest answered or however
     * it failed: guests commonly turn a key-value error into a 500 or a trap, and the client should learn it can
     * retry (as on Fermyon's platform).
     */
    @Override
    public GuestResponse handle(GuestRequest request) throws GuestException {
        return handle(request, false);
    }

    /**
     * Runs the guest on this (IO) thread unless recent inline runs of this component kept needing to block: see
     * {@link GuestHandler#tryInline}. An abandoned run's instance is discarded, its output unwritten.
     */
    @Override
    public GuestResponse tryInline(GuestRequest request) throws GuestException {
        if (inlineMisses >= INLINE_MISSES_BEFORE_BACKOFF && (inlineTickets.incrementAndGet() & INLINE_RETRY_MASK) != 0) {
            return null;
        }
        try {
            GuestResponse response = handle(request, true);
            if (inlineMisses != 0) {
                inlineMisses = 0;
            }
            inlineAnswered.increment();
            return response;
        } catch (MustBlock e) {
            inlineMisses = Math.min(inlineMisses + 1, INLINE_MISSES_BEFORE_BACKOFF);
            inlineAbandoned.increment();
            return null;
        } catch (GuestException e) {
            inlineAnswered.increment();
            throw e;
        }
    }

    private GuestResponse handle(GuestRequest request, boolean inline) throws GuestException {
        RateLimitNote rateLimit = new RateLimitNote();
        try {
            GuestResponse response = run(request, rateLimit, inline);
            return rateLimit.isSet() ? rateLimit.response() : response;
        } catch (GuestException e) {
            if (e.reason() == GuestException.Reason.OVERLOADED) {
                return GuestResponse.overloaded(); // the guest never ran; tell the client to retry
            }
            if (rateLimit.isSet()) {
                LOG.debug("component '{}': rate limited, answering 429 instead of: {}", componentId, e.getMessage());
                return rateLimit.response();
            }
            throw e;
        }
    }

    private GuestResponse run(GuestRequest request, RateLimitNote rateLimit, boolean inline) throws GuestException {
        if (closed) {
            throw new GuestException(GuestException.Reason.INTERNAL, componentId, "handler is closed", null);
        }
        // Inline: a short CPU budget instead of the deadline; past it the run is abandoned, not failed.
        DeadlineWatchdog.Watch watch = inline ? watchdog.inline() : watchdog.watch(limits.requestDeadline());
        GuestInstance instance = null;
        boolean healthy = false;
        boolean abandoned = false;
        try {
            instance = acquire();
            instance.scope().begin(request, keyValues.newStoreTable(grants), rateLimit, inline);
            int result = instance.callHandler();
            if (watch.finish() && !inline) { // inline: the guest finished within a tick of its budget; keep it
                throw failures.deadline(null);
            }
            healthy = true;
            if (result != 0) {
                throw new GuestException(GuestException.Reason.INTERNAL, componentId,
                        "edge_http_handle returned error " + result, null);
            }
            return instance.scope().response();
        } catch (MustBlock e) {
            abandoned = true;
            throw e;
        } catch (ResponseTooLargeException e) {
            throw failures.responseTooLarge(e.getMessage());
        } catch (GuestMemoryExhausted | BodyBuffersExhausted e) {
            watch.finish();
            throw failures.overloaded(e.getMessage());
        } catch (ChicoryException e) {
            boolean expired = watch.finish();
            if (inline && expired) {
                abandoned = true;
                throw MustBlock.INSTANCE;
            }
            throw failures.of(e, expired);
        } catch (StackOverflowError e) {
            watch.finish();
            throw failures.stackOverflow();
        } catch (RuntimeException e) {
            watch.finish();
            throw failures.internal(e);
        } finally {
            watch.finish();
            if (instance != null) {
                instance.scope().end();
                if (abandoned) {
                    instance.discard();
                } else {
                    release(instance, healthy);
                }
            }
        }
    }

    private GuestInstance acquire() {
        if (options.policy() == InstancePolicy.REUSE) {
            GuestInstance instance = idle.pollFirst();
            if (instance != null) {
                idleCount.decrementAndGet();
                return instance;
            }
        }
        return newInstance();
    }

    private GuestInstance newInstance() {
        GuestInstance instance = GuestInstance.create(module, environment, variables, limits.maxResponseBody(),
                options.output(), wasiSetup, options.guestMemory(), options.bodyBuffers());
        instancesCreated.incrementAndGet();
        return instance;
    }

    private void release(GuestInstance instance, boolean healthy) {
        instance.flushOutput();
        boolean keep = healthy && !closed && options.policy() == InstancePolicy.REUSE
                && instance.memoryBytes() <= Math.max(options.retainMemoryBytes(), initialMemoryBytes());
        if (keep && idleCount.incrementAndGet() <= limits.maxPooledInstances()) {
            idle.offerFirst(instance); // LIFO: the warmest instance serves next
            return;
        }
        if (keep) {
            idleCount.decrementAndGet();
        }
        instance.close();
    }

    /** Closes idle instances, coldest first, until {@code bytes} of guest memory are back in the budget. */
    private long closeIdle(long bytes) {
        long freed = 0;
        GuestInstance instance;
        while (freed < bytes && (instance = idle.pollLast()) != null) {
            idleCount.decrementAndGet();
            freed += instance.memoryBytes();
            instance.close();
        }
        return freed;
    }

    private long initialMemoryBytes() {
        return (long) module.memoryLimits().initialPages() * GuestAbi.PAGE_SIZE;
    }

    @Override
    public void close() {
        closed = true;
        memoryPressure.close();
        GuestInstance instance;
        while ((instance = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            instance.close();
        }
        wasiSetup.close();
    }
}
