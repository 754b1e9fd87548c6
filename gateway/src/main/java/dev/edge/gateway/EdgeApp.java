package dev.edge.gateway;

import dev.edge.component.executor.ComponentHttpHandlers;
import dev.edge.config.AppManifest;
import dev.edge.config.AppConfig;
import dev.edge.config.Component;
import dev.edge.config.Executor;
import dev.edge.config.ConfigException;
import dev.edge.config.GuestLimitsConfig;
import dev.edge.config.HttpTrigger;
import dev.edge.config.KvRouteConfig;
import dev.edge.config.KvStoreConfig;
import dev.edge.config.RuntimeConfig;
import dev.edge.kv.KeyValueFactor;
import dev.edge.routes.HttpLimits;
import dev.edge.routes.AccessLog;
import dev.edge.routes.IngressServer;
import io.micrometer.core.instrument.FunctionCounter;
import dev.edge.routes.IngressStage;
import dev.edge.routes.KvRouteStage;
import dev.edge.routes.ProxyHeaders;
import dev.edge.routes.ProxyRoute;
import dev.edge.routes.ProxyStage;
import dev.edge.routes.RequestMetrics;
import dev.edge.routes.SpinDispatcher;
import dev.edge.routes.SpinRouter;
import dev.edge.routes.StreamingProxy;
import dev.edge.wasm.CompileCache;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestOutputSink;
import dev.edge.wasm.wasi.ComponentHandlers;
import dev.edge.wasm.wasi.ComponentLogs;
import dev.edge.wasm.WasmLoadException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running application: manifest and runtime config loaded, key-value stores opened, components
 * compiled, ingress (and optionally the admin listener) serving. {@link #reload} swaps in a freshly loaded app
 * generation behind the same listeners. Closing it stops everything in reverse.
 */
public final class EdgeApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeApp.class);
    private static final java.time.Duration UPSTREAM_TIMEOUT = java.time.Duration.ofSeconds(30);
    /** Compiled modules, kept between starts: {@code <stateDir>/compile-cache} (docs/components.md). */
    static final String COMPILE_CACHE_DIR = "compile-cache";

    /** What {@code edge up} was asked to run. */
    public record Settings(
            Path manifest,
            ListenAddress listen,
            Path stateDir,
            Path runtimeConfigFile,
            ListenAddress adminListen,
            List<ProxyRoute> proxies,
            Map<String, String> environment,
            java.util.Optional<dev.edge.routes.TlsFiles> tls,
            java.util.Optional<String> adminToken,
            java.util.Optional<AccessLogOption> accessLog) {

        public Settings {
            proxies = List.copyOf(proxies);
            environment = Map.copyOf(environment);
        }

        /** Without an access log. */
        public Settings(Path manifest, ListenAddress listen, Path stateDir, Path runtimeConfigFile,
                        ListenAddress adminListen, List<ProxyRoute> proxies, Map<String, String> environment,
                        java.util.Optional<dev.edge.routes.TlsFiles> tls, java.util.Optional<String> adminToken) {
            this(manifest, listen, stateDir, runtimeConfigFile, adminListen, proxies, environment, tls, adminToken,
                    java.util.Optional.empty());
        }

        /** Without the admin listener's key-value endpoints (no admin token). */
        public Settings(Path manifest, ListenAddress listen, Path stateDir, Path runtimeConfigFile,
                        ListenAddress adminListen, List<ProxyRoute> proxies, Map<String, String> environment,
                        java.util.Optional<dev.edge.routes.TlsFiles> tls) {
            this(manifest, listen, stateDir, runtimeConfigFile, adminListen, proxies, environment, tls,
                    java.util.Optional.empty());
        }

        /** These settings, logging every request as {@code accessLog} says. */
        public Settings withAccessLog(AccessLogOption accessLog) {
            return new Settings(manifest, listen, stateDir, runtimeConfigFile, adminListen, proxies, environment, tls,
                    adminToken, java.util.Optional.of(accessLog));
        }

        /** Plain HTTP, without {@code -e} variables. */
        public Settings(Path manifest, ListenAddress listen, Path stateDir, Path runtimeConfigFile,
                        ListenAddress adminListen, List<ProxyRoute> proxies) {
            this(manifest, listen, stateDir, runtimeConfigFile, adminListen, proxies, Map.of(), java.util.Optional.empty());
        }

        /** Plain HTTP. */
        public Settings(Path manifest, ListenAddress listen, Path stateDir, Path runtimeConfigFile,
                        ListenAddress adminListen, List<ProxyRoute> proxies, Map<String, String> environment) {
            this(manifest, listen, stateDir, runtimeConfigFile, adminListen, proxies, environment,
                    java.util.Optional.empty());
        }

        /** Without {@code -e} variables. */
        public Settings(Path manifest, ListenAddress listen, Path stateDir, Path runtimeConfigFile,
                        ListenAddress adminListen, List<ProxyRoute> proxies,
                        java.util.Optional<dev.edge.routes.TlsFiles> tls) {
            this(manifest, listen, stateDir, runtimeConfigFile, adminListen, proxies, Map.of(), tls);
        }
    }

    /** How long SIGTERM waits for requests in flight unless {@code --drain-timeout} says otherwise. */
    public static final java.time.Duration DEFAULT_DRAIN_TIMEOUT = java.time.Duration.ofSeconds(5);
    /**
     * What closing the rest (stores, executors, listeners) may add to the drain before the process exits:
     * more when nothing is in flight (a clean close), little when a runaway guest held up the drain.
     */
    private static final java.time.Duration CLOSE_BUDGET = java.time.Duration.ofMillis(800);
    private static final java.time.Duration CLOSE_BUDGET_AFTER_EXPIRED_DRAIN = java.time.Duration.ofMillis(200);

    private final Settings settings;
    private final Deque<AutoCloseable> resources;
    private final IngressServer ingress;
    private final java.util.Optional<AccessLog> accessLog;
    private final boolean tls;
    /** The app generation new requests go to (hot reload: {@link #reload}). */
    private volatile Generation current;
    /** Set by {@link #shutdown}: no reload swaps in a generation nobody would close. */
    private boolean closing;
    private final java.util.concurrent.atomic.AtomicLong reloadsOk = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong reloadsFailed = new java.util.concurrent.atomic.AtomicLong();

    private EdgeApp(Settings settings, Deque<AutoCloseable> resources, IngressServer ingress,
                    java.util.Optional<AccessLog> accessLog, Generation first, boolean tls) {
        this.settings = settings;
        this.resources = resources;
        this.ingress = ingress;
        this.accessLog = accessLog;
        this.tls = tls;
        this.current = first;
    }

    /**
     * One loaded app: manifest and runtime config, stores, compiled components, proxies and admission, and the
     * metrics registry they report to. Closing {@code resources} closes all of it.
     */
    private record Generation(AppManifest manifest, SpinDispatcher dispatcher, PrometheusMeterRegistry registry,
                              KeyValueBackends backends, Deque<AutoCloseable> resources, String defaultStoreFile,
                              List<KvRouteConfig> kvRoutes) implements AutoCloseable {
        @Override
        public void close() {
            closeAll(resources);
        }
    }

    /**
     * @throws ConfigException    the manifest or runtime config is invalid
     * @throws WasmLoadException  a component cannot be loaded
     * @throws ListenException    a listener cannot bind its address (e.g. port in use)
     * @throws Exception          another failure while starting
     */
    public static EdgeApp start(Settings settings) throws Exception {
        LoadedGeneration first = loadGeneration(settings);
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            // The listener's limits come from the first generation's runtime config: a reload keeps them.
            RuntimeConfig runtime = first.runtime();
            java.util.Optional<dev.edge.routes.TlsSettings> tls;
            try {
                tls = ListenerTls.settings(settings.tls(), runtime.listener(), settings.runtimeConfigFile());
            } catch (Exception | Error e) {
                first.generation().close();
                throw e;
            }
            GuestLimits limits = guestLimits(runtime.guestLimits());
            NodeBudgets budgets = NodeBudgets.of(runtime.execution());
            ListenAddress listen = settings.listen();
            java.util.Optional<AccessLog> accessLog;
            IngressServer ingress;
            try {
                // The listener's, like its address: a reload keeps it. Closed after the listener, so the last
                // requests are written.
                accessLog = settings.accessLog().map(AccessLogOption::open);
                accessLog.ifPresent(resources::push);
                ingress = ListenException.binding(listen, () -> IngressServer.start(listen.host(),
                        listen.port(), HttpLimits.withMaxRequestBody(limits.maxRequestBody()).withIoThreads(
                                runtime.listener().ioThreads().orElse(HttpLimits.defaultIoThreads())), tls,
                        budgets.bodies(), accessLog, first.generation().dispatcher(), first.generation()));
            } catch (Exception | Error e) {
                first.generation().close();
                throw e;
            }
            resources.push(ingress);
            EdgeApp app = new EdgeApp(settings, resources, ingress, accessLog, first.generation(), tls.isPresent());
            app.registerListenerMeters(first.generation().registry());
            if (settings.adminListen() != null) {
                resources.push(ListenException.binding(settings.adminListen(),
                        () -> AdminServer.start(settings.adminListen(), () -> app.current.registry(),
                                settings.adminToken().map(token -> () -> new AdminKvHandler(token,
                                        app.current.backends().factor())))));
            }
            // Only a fully started app owns its state files: a failed start leaves them to the next app.
            first.generation().backends().claimFiles();
            return app;
        } catch (Exception | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    /** A generation and the runtime config it was built from. */
    private record LoadedGeneration(Generation generation, RuntimeConfig runtime) {}

    /** Loads manifest, runtime config and everything they name; nothing listens yet, no state file is claimed. */
    private static LoadedGeneration loadGeneration(Settings settings) throws Exception {
        // Manifest, runtime config, cross-checks and variables (a required variable without a value fails here).
        AppConfig config = AppConfig.load(settings.manifest(), settings.runtimeConfigFile(), settings.stateDir(),
                System.getenv());
        AppManifest manifest = config.manifest();
        Path stateDir = config.stateDir();
        RuntimeConfig runtime = config.runtime();

        for (ProxyRoute route : settings.proxies()) {
            StreamingProxy.poolName(route.upstream()).filter(name -> runtime.proxy().upstream(name).isEmpty())
                    .ifPresent(name -> {
                        throw new IllegalArgumentException("--proxy '" + route.route() + "=upstream:" + name
                                + "': no [upstream." + name + "] in the runtime config");
                    });
        }
        java.util.Optional<dev.edge.routes.TlsSettings> tls = ListenerTls.settings(settings.tls(), runtime.listener(),
                settings.runtimeConfigFile());
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            Loaded loaded = load(config, settings.environment(),
                    selfOrigin(settings.listen(), tls.isPresent()), resources);
            PrometheusMeterRegistry registry = loaded.registry();
            KeyValueBackends backends = loaded.backends();
            KeyValueFactor keyValues = backends.factor();
            GuestLimits limits = loaded.limits();
            NodeBudgets budgets = loaded.budgets();
            budgets.heapWarning(Runtime.getRuntime().maxMemory()).ifPresent(LOG::warn);
            int components = (int) loaded.handlers().values().stream().distinct().count();
            Map<HttpTrigger, GuestHandler> handlers = GuestAdmissions.admit(
                    GuestAdmissions.of(runtime.execution(), components, limits.requestDeadline()), loaded.handlers(),
                    registry);
            String appName = manifest.application().name();

            List<IngressStage> stages = new ArrayList<>();
            // One proxy, so every kind of proxying follows the same header rules.
            StreamingProxy proxy = new StreamingProxy(new ProxyHeaders(runtime.proxy().trustForwarded()), UPSTREAM_TIMEOUT,
                    runtime.proxy().upstreams(), registry);
            resources.push(proxy);
            if (!runtime.kvRoutes().isEmpty()) {
                // KV routes first: a key can override a --proxy route too ("pass" hands the request on).
                stages.add(new KvRouteStage(runtime.kvRoutes(), keyValues, proxy, registry));
            }
            if (!settings.proxies().isEmpty()) {
                stages.add(new ProxyStage(settings.proxies(), proxy));
            }
            SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(manifest.triggers()), handlers, stages,
                    appName, manifest.application().version(), new RequestMetrics(registry));
            return new LoadedGeneration(new Generation(manifest, dispatcher, registry, backends, resources,
                    defaultStoreFile(runtime, stateDir), runtime.kvRoutes()), runtime);
        } catch (Exception | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    /** Meters of the listener and of reloads, registered again in each generation's registry. */
    private void registerListenerMeters(PrometheusMeterRegistry registry) {
        io.micrometer.core.instrument.Gauge.builder("edge.http.requests.in.flight", ingress, IngressServer::inFlight)
                .description("HTTP requests accepted and not yet answered").register(registry);
        accessLog.ifPresent(log -> FunctionCounter.builder("edge.access.log.dropped", log, AccessLog::dropped)
                .description("access log lines dropped because the writer fell behind").register(registry));
        for (String result : List.of("ok", "failed")) {
            io.micrometer.core.instrument.FunctionCounter.builder("edge.reloads",
                            result.equals("ok") ? reloadsOk : reloadsFailed,
                            java.util.concurrent.atomic.AtomicLong::doubleValue)
                    .description("Hot reloads (SIGHUP or --watch) since the process started, by result")
                    .tag("result", result).register(registry);
        }
    }

    /** What one {@link #reload} did, as the one line {@code edge up} prints. */
    public record Reload(boolean ok, long generation, String line) {}

    /**
     * Hot reload (SIGHUP, {@code --watch}): loads the manifest, runtime config and components again and, once all
     * of it has loaded, swaps it in: new requests go to it at once, requests in flight finish on the old generation,
     * which is closed after them (or after {@code drain}). If anything fails to load, the old generation keeps
     * serving and the returned line says why. The listeners (address, TLS, admin) stay as they are.
     */
    public synchronized Reload reload(java.time.Duration drain) {
        long started = System.nanoTime();
        if (closing) {
            return new Reload(false, ingress.generation(), "reload skipped: shutting down");
        }
        LoadedGeneration next;
        try {
            next = loadGeneration(settings);
        } catch (Exception e) {
            reloadsFailed.incrementAndGet();
            String reason = StartFailures.reason(e);
            Reload failed = new Reload(false, ingress.generation(),
                    "reload failed, still serving generation " + ingress.generation() + ": " + reason);
            LOG.warn(failed.line());
            return failed;
        }
        // Same app, same files: the claim is already this app's (another app's file failed the load above).
        next.generation().backends().claimFiles();
        registerListenerMeters(next.generation().registry());
        long generation = ingress.swap(next.generation().dispatcher(), next.generation(), drain);
        current = next.generation();
        reloadsOk.incrementAndGet();
        Reload done = new Reload(true, generation, "reloaded app " + next.generation().manifest().application().name()
                + " (generation " + generation + ") in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        LOG.info(done.line());
        return done;
    }

    /** The manifest and runtime config files a reload reads again, and the component sources they name now. */
    public List<Path> watchedFiles() {
        List<Path> files = new ArrayList<>();
        files.add(settings.manifest());
        if (settings.runtimeConfigFile() != null) {
            files.add(settings.runtimeConfigFile());
        }
        current.manifest().components().values().forEach(component -> files.add(component.source()));
        return files;
    }

    /** What {@link #load} opened: closing {@code resources} closes all of it. */
    private record Loaded(PrometheusMeterRegistry registry, KeyValueBackends backends, GuestLimits limits,
                          NodeBudgets budgets, Map<HttpTrigger, GuestHandler> handlers) {}

    /** Where a component's request without an authority (Spin's {@code self}) goes: this node's listener. */
    private static java.net.URI selfOrigin(ListenAddress listen, boolean tls) {
        String base = listen.baseUrl();
        return java.net.URI.create(tls ? "https" + base.substring("http".length()) : base);
    }

    /** Everything {@code up} builds before it listens: metrics, key-value stores, compiled components. */
    private static Loaded load(AppConfig config, Map<String, String> environment, java.net.URI selfOrigin,
                               Deque<AutoCloseable> resources)
            throws WasmLoadException {
        RuntimeConfig runtime = config.runtime();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        resources.push(registry::close);
        io.micrometer.core.instrument.Gauge.builder("edge.build.info", () -> 1)
                .description("edge's version (label version) and the Java runtime it runs on; always 1")
                .tag("version", EdgeMain.VERSION).tag("java_version", Runtime.version().toString())
                .register(registry);
        NodeMeters.jvmAndProcess(registry, resources);
        KeyValueBackends backends = KeyValueBackends.build(config.manifest().application().name(), runtime,
                config.stateDir(), registry);
        resources.push(backends.factor());
        NodeMeters.keyValue(backends, registry);
        GuestLimits limits = guestLimits(runtime.guestLimits());
        NodeBudgets budgets = NodeBudgets.of(runtime.execution());
        DeadlineWatchdog watchdog = new DeadlineWatchdog();
        resources.push(watchdog);
        ComponentLogs logs = ComponentLogs.inStateDir(config.stateDir());
        resources.push(logs);
        ExecutorOptions options = ExecutorOptions.defaults()
                .withOutput(ComponentLogs.tee(logs, GuestOutputSink.slf4j()))
                .withGuestMemory(budgets.guestMemory())
                .withBodyBuffers(budgets.bodies())
                .withCompileCache(CompileCache.at(config.stateDir().resolve(COMPILE_CACHE_DIR)));
        Map<HttpTrigger, GuestHandler> handlers = loadHandlers(config, environment, backends.factor(), limits, options,
                watchdog, selfOrigin);
        handlers.values().stream().distinct().forEach(resources::push);
        NodeMeters.instancePools(handlers.values(), registry);
        return new Loaded(registry, backends, limits, budgets, handlers);
    }

    /** What {@code edge check} validated. */
    public record Checked(String appName, int components, int stores) {}

    /**
     * {@code edge check}: loads everything {@link #start} would (stores opened or reached, components compiled),
     * then closes it again; no listener, no state file claimed.
     *
     * @throws ConfigException   the manifest or runtime config is invalid
     * @throws WasmLoadException a component cannot be loaded
     */
    public static Checked check(Path manifest, Path runtimeConfigFile, Path stateDir) throws Exception {
        AppConfig config = AppConfig.load(manifest, runtimeConfigFile, stateDir, System.getenv());
        // the [listener] certificates, as up reads them (--tls-cert is up's alone, so tuning without one passes)
        java.util.Optional<dev.edge.routes.TlsSettings> tls = config.runtime().listener().certificates().isEmpty()
                ? java.util.Optional.empty()
                : ListenerTls.settings(java.util.Optional.empty(), config.runtime().listener(), runtimeConfigFile);
        if (tls.isPresent()) {
            tls.get().sslContext();
        }
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            Loaded loaded = load(config, Map.of(), null, resources);
            java.util.Set<String> labels = new java.util.HashSet<>(config.runtime().keyValueStores().keySet());
            labels.add(RuntimeConfig.DEFAULT_LABEL);
            return new Checked(config.manifest().application().name(),
                    (int) loaded.handlers().values().stream().distinct().count(), labels.size());
        } finally {
            closeAll(resources);
        }
    }

    /** {@code [guest_limits]} of the runtime config; the pool size stays the executor's default. */
    static GuestLimits guestLimits(GuestLimitsConfig config) {
        return new GuestLimits(config.maxMemoryBytes(), config.requestTimeout(), config.maxRequestBody(),
                config.maxResponseBody(), GuestLimits.defaults().maxPooledInstances());
    }

    /**
     * One handler per trigger: triggers sharing a component and an executor share one handler (one
     * compilation); a trigger running the same component with another executor gets its own.
     */
    /** A WebAssembly component (Spin's toolchain) runs on the component runtime; a core module on edge's ABI or WAGI. */
    private static GuestHandler loadHandler(Component component, Executor executor, AppConfig config,
                                            KeyValueFactor keyValues, GuestLimits limits, ExecutorOptions options,
                                            DeadlineWatchdog watchdog, java.net.URI selfOrigin) throws WasmLoadException {
        Map<String, String> variables = config.variables().componentVariables(component.id());
        Path baseDir = config.manifest().baseDir();
        if (executor.type() == Executor.Type.HTTP && isComponent(component)) {
            ComponentHttpHandlers.Outbound outbound = new ComponentHttpHandlers.Outbound(
                    config.variables().allowedOutboundHosts(component.id()), selfOrigin);
            return ComponentHttpHandlers.load(component, baseDir, config.stateDir(), keyValues, variables, outbound,
                    limits, options, watchdog);
        }
        return ComponentHandlers.load(component, executor, baseDir, config.stateDir(), keyValues, variables, limits,
                options, watchdog);
    }

    private static boolean isComponent(Component component) throws WasmLoadException {
        try {
            return ComponentHttpHandlers.isComponent(component.source());
        } catch (java.io.IOException e) {
            throw new WasmLoadException(component.id(), component.source(), "cannot read file (" + e.getMessage() + ")", null);
        }
    }

    private static Map<HttpTrigger, GuestHandler> loadHandlers(AppConfig config, Map<String, String> environment,
                                                               KeyValueFactor keyValues,
                                                               GuestLimits limits, ExecutorOptions options,
                                                               DeadlineWatchdog watchdog, java.net.URI selfOrigin)
            throws WasmLoadException {
        AppManifest manifest = config.manifest();
        Map<HttpTrigger, GuestHandler> handlers = new LinkedHashMap<>();
        Map<List<Object>, GuestHandler> loaded = new LinkedHashMap<>();
        try {
            for (HttpTrigger trigger : manifest.triggers()) {
                if (trigger.componentId().isEmpty()) {
                    continue;
                }
                Component component = manifest.components().get(trigger.componentId().get())
                        .withEnvironment(environment);
                List<Object> key = List.of(component.id(), trigger.executor());
                GuestHandler handler = loaded.get(key);
                if (handler == null) {
                    long started = System.nanoTime();
                    handler = loadHandler(component, trigger.executor(), config, keyValues, limits, options, watchdog,
                            selfOrigin);
                    loaded.put(key, handler);
                    LOG.info("Loaded component {} in {} ms", component.id(), (System.nanoTime() - started) / 1_000_000);
                }
                handlers.put(trigger, handler);
            }
        } catch (WasmLoadException | RuntimeException e) {
            loaded.values().forEach(GuestHandler::close);
            throw e;
        }
        return handlers;
    }

    private static String defaultStoreFile(RuntimeConfig runtime, Path stateDir) {
        KvStoreConfig store = runtime.store(RuntimeConfig.DEFAULT_LABEL).orElse(RuntimeConfig.defaultStore(stateDir));
        return store instanceof KvStoreConfig.Spin spin ? display(KeyValueBackends.sqliteFile(spin, stateDir)) : null;
    }

    /** Relative to the working directory when below it, as Spin prints paths. */
    private static String display(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        return path.startsWith(cwd) ? cwd.relativize(path).toString() : path.toString();
    }

    /** The lines {@code spin up} prints once it is serving. */
    public void printBanner(PrintStream out, ListenAddress listen) {
        String base = tls ? "https" + listen.baseUrl().substring("http".length()) : listen.baseUrl();
        StringBuilder banner = new StringBuilder();
        Generation generation = current;
        String defaultStoreFile = generation.defaultStoreFile();
        List<KvRouteConfig> kvRoutes = generation.kvRoutes();
        List<ProxyRoute> proxies = settings.proxies();
        if (defaultStoreFile != null) {
            banner.append("Storing default key-value data to \"").append(defaultStoreFile).append("\".\n");
        }
        banner.append('\n');
        banner.append("Serving ").append(base).append('\n');
        banner.append("Available Routes:\n");
        for (HttpTrigger trigger : generation.manifest().triggers()) {
            if (trigger.isPrivate()) {
                continue;
            }
            String route = trigger.route();
            boolean wildcard = route.endsWith("/...");
            String shown = wildcard ? route.substring(0, route.length() - 4) : route;
            banner.append("  ").append(trigger.componentId().orElse("(static response)")).append(": ")
                    .append(base).append(shown).append(wildcard ? " (wildcard)" : "").append('\n');
        }
        if (!proxies.isEmpty()) {
            banner.append("Proxy routes (--proxy, checked before the routes above):\n");
            for (ProxyRoute proxy : proxies) {
                banner.append("  ").append(base).append(proxy.route()).append(" -> ")
                        .append(proxy.upstream()).append('\n');
            }
        }
        if (!kvRoutes.isEmpty()) {
            banner.append("KV routes (runtime config, checked before the routes above):\n");
            for (KvRouteConfig route : kvRoutes) {
                banner.append("  ").append(base).append(route.route()).append(" -> store ")
                        .append(route.store()).append(", key ").append(route.key().raw()).append('\n');
            }
        }
        out.print(banner);
        out.flush();
    }

    /** The manifest of the generation serving now. */
    public AppManifest manifest() { return current.manifest(); }

    /** Drains for up to {@link #DEFAULT_DRAIN_TIMEOUT}, then closes everything. */
    @Override
    public void close() {
        shutdown(DEFAULT_DRAIN_TIMEOUT);
    }

    /**
     * What SIGTERM does: new requests get 503 ({@code Connection: close}) at once; the requests in flight
     * get up to {@code drain} to finish; then everything is closed, giving up after a short budget so a
     * runaway guest can never keep the process alive. Returns within {@code drain} plus that budget.
     */
    public void shutdown(java.time.Duration drain) {
        synchronized (this) {
            closing = true;
        }
        boolean drained;
        try {
            drained = ingress.drain(drain);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        if (!drained) {
            LOG.warn("Drain timed out after {} ms with {} request(s) still in flight; closing anyway",
                    drain.toMillis(), ingress.inFlight());
        }
        Thread closer = new Thread(() -> closeAll(resources), "edge-close");
        closer.setDaemon(true);
        closer.start();
        long budget = (drained ? CLOSE_BUDGET : CLOSE_BUDGET_AFTER_EXPIRED_DRAIN).toMillis();
        try {
            closer.join(budget);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive() && drained) {
            // (after an expired drain, the request still in flight is the reason: its one line is above)
            LOG.warn("Closing did not finish within {} ms; exiting anyway", budget);
        }
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Shutdown: closing {} failed: {}", resource, e.toString());
            }
        }
    }
}
