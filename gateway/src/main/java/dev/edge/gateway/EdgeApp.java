package dev.edge.gateway;

import dev.edge.config.AppManifest;
import dev.edge.config.AppConfig;
import dev.edge.config.Component;
import dev.edge.config.ConfigException;
import dev.edge.config.GuestLimitsConfig;
import dev.edge.config.HttpTrigger;
import dev.edge.config.KvRouteConfig;
import dev.edge.config.KvStoreConfig;
import dev.edge.config.RuntimeConfig;
import dev.edge.kv.KeyValueFactor;
import dev.edge.routes.HttpLimits;
import dev.edge.routes.IngressServer;
import dev.edge.routes.IngressStage;
import dev.edge.routes.KvRouteStage;
import dev.edge.routes.ProxyRoute;
import dev.edge.routes.ProxyStage;
import dev.edge.routes.RequestMetrics;
import dev.edge.routes.SpinDispatcher;
import dev.edge.routes.SpinRouter;
import dev.edge.routes.UpstreamForwarder;
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
 * compiled, ingress (and optionally the admin listener) serving. Closing it stops everything in reverse.
 */
public final class EdgeApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeApp.class);
    private static final java.time.Duration KV_ROUTE_UPSTREAM_TIMEOUT = java.time.Duration.ofSeconds(30);

    /** What {@code edge up} was asked to run. */
    public record Settings(
            Path manifest,
            ListenAddress listen,
            Path stateDir,
            Path runtimeConfigFile,
            ListenAddress adminListen,
            List<ProxyRoute> proxies) {}

    private final AppManifest manifest;
    private final Deque<AutoCloseable> resources;
    private final String defaultStoreFile;
    private final List<KvRouteConfig> kvRoutes;

    private EdgeApp(AppManifest manifest, Deque<AutoCloseable> resources, String defaultStoreFile,
                    List<KvRouteConfig> kvRoutes) {
        this.manifest = manifest;
        this.resources = resources;
        this.defaultStoreFile = defaultStoreFile;
        this.kvRoutes = kvRoutes;
    }

    /**
     * @throws ConfigException    the manifest or runtime config is invalid
     * @throws WasmLoadException  a component cannot be loaded
     * @throws Exception          the listener cannot start (e.g. port in use)
     */
    public static EdgeApp start(Settings settings) throws Exception {
        // Manifest, runtime config, cross-checks and variables (a required variable without a value fails here).
        AppConfig config = AppConfig.load(settings.manifest(), settings.runtimeConfigFile(), settings.stateDir(),
                System.getenv());
        AppManifest manifest = config.manifest();
        Path stateDir = config.stateDir();
        RuntimeConfig runtime = config.runtime();

        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.push(registry::close);
            String appName = manifest.application().name();
            KeyValueFactor keyValues = KeyValueBackends.build(appName, runtime, stateDir, registry);
            resources.push(keyValues);

            GuestLimits limits = guestLimits(runtime.guestLimits());
            NodeBudgets budgets = NodeBudgets.of(runtime.execution());
            budgets.heapWarning(Runtime.getRuntime().maxMemory()).ifPresent(LOG::warn);
            DeadlineWatchdog watchdog = new DeadlineWatchdog();
            resources.push(watchdog);
            ComponentLogs logs = ComponentLogs.inStateDir(stateDir);
            resources.push(logs);
            ExecutorOptions options = ExecutorOptions.defaults()
                    .withOutput(ComponentLogs.tee(logs, GuestOutputSink.slf4j()))
                    .withGuestMemory(budgets.guestMemory())
                    .withBodyBuffers(budgets.bodies());
            Map<String, GuestHandler> loaded = loadHandlers(config, keyValues, limits, options, watchdog);
            loaded.values().forEach(resources::push);
            Map<String, GuestHandler> handlers = GuestAdmissions.admit(
                    GuestAdmissions.of(runtime.execution(), loaded.size(), limits.requestDeadline()), loaded, registry);

            List<IngressStage> stages = new ArrayList<>();
            if (!runtime.kvRoutes().isEmpty()) {
                // KV routes first: a key can override a --proxy route too ("pass" hands the request on).
                stages.add(new KvRouteStage(runtime.kvRoutes(), keyValues,
                        new UpstreamForwarder(limits.maxResponseBody(), KV_ROUTE_UPSTREAM_TIMEOUT), registry));
            }
            if (!settings.proxies().isEmpty()) {
                stages.add(new ProxyStage(settings.proxies(), limits.maxResponseBody()));
            }
            SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(manifest.triggers()), handlers, stages,
                    appName, manifest.application().version(), new RequestMetrics(registry));
            ListenAddress listen = settings.listen();
            resources.push(IngressServer.start(listen.host(), listen.port(),
                    HttpLimits.withMaxRequestBody(limits.maxRequestBody()), budgets.bodies(), dispatcher));
            if (settings.adminListen() != null) {
                resources.push(AdminServer.start(settings.adminListen(), registry));
            }
            return new EdgeApp(manifest, resources, defaultStoreFile(runtime, stateDir), runtime.kvRoutes());
        } catch (Exception | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    /** {@code [guest_limits]} of the runtime config; the pool size stays the executor's default. */
    static GuestLimits guestLimits(GuestLimitsConfig config) {
        return new GuestLimits(config.maxMemoryBytes(), config.requestTimeout(), config.maxRequestBody(),
                config.maxResponseBody(), GuestLimits.defaults().maxPooledInstances());
    }

    private static Map<String, GuestHandler> loadHandlers(AppConfig config, KeyValueFactor keyValues,
                                                          GuestLimits limits, ExecutorOptions options,
                                                          DeadlineWatchdog watchdog)
            throws WasmLoadException {
        AppManifest manifest = config.manifest();
        Map<String, GuestHandler> handlers = new LinkedHashMap<>();
        try {
            for (HttpTrigger trigger : manifest.triggers()) {
                if (trigger.componentId().isEmpty() || handlers.containsKey(trigger.componentId().get())) {
                    continue;
                }
                Component component = manifest.components().get(trigger.componentId().get());
                long started = System.nanoTime();
                handlers.put(component.id(), ComponentHandlers.load(component, trigger.executor(),
                        manifest.baseDir(), config.stateDir(), keyValues,
                        config.variables().componentVariables(component.id()), limits, options, watchdog));
                LOG.info("Loaded component {} in {} ms", component.id(), (System.nanoTime() - started) / 1_000_000);
            }
        } catch (WasmLoadException | RuntimeException e) {
            handlers.values().forEach(GuestHandler::close);
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
        StringBuilder banner = new StringBuilder();
        if (defaultStoreFile != null) {
            banner.append("Storing default key-value data to \"").append(defaultStoreFile).append("\".\n");
        }
        banner.append('\n');
        banner.append("Serving ").append(listen.baseUrl()).append('\n');
        banner.append("Available Routes:\n");
        for (HttpTrigger trigger : manifest.triggers()) {
            if (trigger.isPrivate()) {
                continue;
            }
            String route = trigger.route();
            boolean wildcard = route.endsWith("/...");
            String shown = wildcard ? route.substring(0, route.length() - 4) : route;
            banner.append("  ").append(trigger.componentId().orElse("(static response)")).append(": ")
                    .append(listen.baseUrl()).append(shown).append(wildcard ? " (wildcard)" : "").append('\n');
        }
        if (!kvRoutes.isEmpty()) {
            banner.append("KV routes (runtime config, checked before the routes above):\n");
            for (KvRouteConfig route : kvRoutes) {
                banner.append("  ").append(listen.baseUrl()).append(route.route()).append(" -> store ")
                        .append(route.store()).append(", key ").append(route.key().raw()).append('\n');
            }
        }
        out.print(banner);
        out.flush();
    }

    public AppManifest manifest() { return manifest; }

    @Override
    public void close() {
        closeAll(resources);
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
