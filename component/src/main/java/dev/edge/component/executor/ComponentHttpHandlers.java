package dev.edge.component.executor;

import dev.edge.component.host.HostInterface;
import dev.edge.component.runtime.Component;
import dev.edge.component.runtime.ComponentLoadException;
import dev.edge.component.spin.kv.KeyValueState;
import dev.edge.component.spin.kv.SpinKeyValue;
import dev.edge.component.spin.kv.WasiKeyValue;
import dev.edge.component.spin.variables.SpinVariables;
import dev.edge.component.spin.variables.VariablesState;
import dev.edge.component.wasi.cli.CliState;
import dev.edge.component.wasi.cli.WasiCli;
import dev.edge.component.wasi.clocks.WasiClocks;
import dev.edge.component.wasi.filesystem.FilesystemState;
import dev.edge.component.wasi.filesystem.WasiFilesystem;
import dev.edge.component.wasi.http.OutboundHttp;
import dev.edge.component.wasi.http.OutboundPolicy;
import dev.edge.component.wasi.http.WasiHttp;
import dev.edge.component.wasi.io.WasiIo;
import dev.edge.component.wasi.random.WasiRandom;
import dev.edge.kv.KeyValueFactor;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.WasmLoadException;
import dev.edge.wasm.wasi.GuestFiles;
import dev.edge.config.OutboundHost;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads a manifest component whose {@code source} is a WebAssembly component (layer 1) into a
 * {@link ComponentHttpHandler} with every host interface edge provides, and the per-request states the
 * manifest grants: environment and stdio logs, files, key-value stores, variables, outbound hosts. The
 * gateway's counterpart of {@code ComponentHandlers.load} for core modules.
 */
public final class ComponentHttpHandlers {
    private ComponentHttpHandlers() {}

    /** Every interface edge provides to components. */
    public static List<HostInterface> hostInterfaces() {
        List<HostInterface> hosts = new ArrayList<>();
        hosts.addAll(WasiIo.interfaces());
        hosts.addAll(WasiClocks.interfaces());
        hosts.addAll(WasiRandom.interfaces());
        hosts.addAll(WasiCli.interfaces());
        hosts.addAll(WasiFilesystem.interfaces());
        hosts.addAll(WasiHttp.interfaces());
        hosts.add(SpinKeyValue.keyValue());
        hosts.addAll(WasiKeyValue.interfaces());
        hosts.addAll(SpinVariables.interfaces());
        return hosts;
    }

    /** True when the file starts with a component's preamble (layer 1) rather than a core module's. */
    public static boolean isComponent(Path source) throws IOException {
        try (var in = Files.newInputStream(source)) {
            byte[] head = in.readNBytes(8);
            return dev.edge.component.binary.ComponentParser.isComponent(head);
        }
    }

    /**
     * A component's outbound HTTP: its {@code allowed_outbound_hosts} with templates rendered
     * ({@code VariableResolver.allowedOutboundHosts}), and the app's own origin for requests without an
     * authority (Spin's {@code self}; the listener's, as Spin takes it, never the request's host header), or
     * null when there is no listener.
     */
    public record Outbound(List<OutboundHost> allowedHosts, URI selfOrigin) {
        public Outbound {
            allowedHosts = List.copyOf(allowedHosts);
        }

        /** The manifest's entries taken literally (no templates), no self origin. */
        static Outbound literal(dev.edge.config.Component component) {
            return new Outbound(component.allowedOutboundHosts().stream().map(OutboundHost::parse).toList(), null);
        }
    }

    /** {@link #load(dev.edge.config.Component, Path, Path, KeyValueFactor, Map, Outbound, GuestLimits, ExecutorOptions, DeadlineWatchdog)} with {@link Outbound#literal}. */
    public static GuestHandler load(dev.edge.config.Component component, Path baseDir, Path stateDir,
                                    KeyValueFactor keyValues, Map<String, String> resolvedVariables,
                                    GuestLimits limits, ExecutorOptions options, DeadlineWatchdog watchdog)
            throws WasmLoadException {
        return load(component, baseDir, stateDir, keyValues, resolvedVariables, Outbound.literal(component), limits,
                options, watchdog);
    }

    public static GuestHandler load(dev.edge.config.Component component, Path baseDir, Path stateDir,
                                    KeyValueFactor keyValues, Map<String, String> resolvedVariables,
                                    Outbound outboundConfig, GuestLimits limits, ExecutorOptions options,
                                    DeadlineWatchdog watchdog)
            throws WasmLoadException {
        String id = component.id();
        Path source = component.source();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(source);
        } catch (IOException e) {
            throw new WasmLoadException(id, source, "cannot read file (" + e.getMessage() + ")", null);
        }
        if (component.sourceDigest().isPresent()) {
            verifyDigest(id, source, bytes, component.sourceDigest().get());
        }
        Component loaded;
        try {
            loaded = Component.load(bytes, hostInterfaces(), limits.maxMemoryBytes(),
                    options.compileCache().orElse(null), options.guestMemory());
        } catch (ComponentLoadException e) {
            throw new WasmLoadException(id, source, e.getMessage(), null);
        }
        GuestFiles files = GuestFiles.forComponent(component, baseDir, stateDir);
        OutboundHttp outbound = new OutboundHttp(new OutboundPolicy(outboundConfig.allowedHosts()),
                OutboundHttp.defaultClient(), outboundConfig.selfOrigin(), limits.maxRequestBody());
        Set<String> grants = Set.copyOf(component.keyValueStores());
        // Without a key-value capability every open is still answered inside the component (access-denied,
        // or no-such-store for a granted label), never a missing state that traps.
        KeyValueFactor stores = keyValues != null ? keyValues : new KeyValueFactor(id, Map.of());
        ComponentHttpHandler.States states = (request, context) -> {
            context.with(new CliState(id, component.environment(), options.output()));
            context.with(files.root() == null ? FilesystemState.none() : new FilesystemState(files.root()));
            context.with(new KeyValueState(stores.newStoreTable(grants)));
            context.with(new VariablesState(id, resolvedVariables));
            context.with(outbound);
        };
        try {
            ComponentHttpHandler handler = new ComponentHttpHandler(id, loaded, states, limits, watchdog);
            return new GuestHandler() {
                public String componentId() { return id; }

                public dev.edge.wasm.GuestResponse handle(dev.edge.wasm.GuestRequest request)
                        throws dev.edge.wasm.GuestException {
                    return handler.handle(request);
                }

                public void close() {
                    handler.close();
                    files.close();
                }
            };
        } catch (ComponentLoadException e) {
            files.close();
            throw new WasmLoadException(id, source, e.getMessage(), null);
        }
    }

    private static void verifyDigest(String id, Path source, byte[] bytes, String digest) throws WasmLoadException {
        if (!digest.startsWith("sha256:")) {
            throw new WasmLoadException(id, source, "unsupported digest '" + digest + "' (expected sha256:<hex>)", null);
        }
        String actual;
        try {
            actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!actual.equalsIgnoreCase(digest.substring("sha256:".length()))) {
            throw new WasmLoadException(id, source, "digest mismatch: manifest says " + digest + ", file is sha256:" + actual, null);
        }
    }
}
