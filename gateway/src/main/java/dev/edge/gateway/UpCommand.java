package dev.edge.gateway;

import dev.edge.config.ConfigException;
import dev.edge.routes.ProxyRoute;
import dev.edge.routes.TlsFiles;
import dev.edge.wasm.WasmLoadException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edge up}: runs a Spin application, like {@code spin up}. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the Spin application described by a spin.toml and serve it over HTTP.")
public final class UpCommand implements Callable<Integer> {

    @Option(names = {"-f", "--from"}, paramLabel = "<spin.toml>", defaultValue = "spin.toml",
            description = "The application manifest (or a directory holding spin.toml). Default: ${DEFAULT-VALUE}")
    Path from;

    @Option(names = "--listen", paramLabel = "<host:port>", defaultValue = "127.0.0.1:3000",
            converter = ListenAddress.Converter.class,
            description = "Address the HTTP trigger listens on. Default: ${DEFAULT-VALUE}")
    ListenAddress listen;

    @Option(names = "--state-dir", paramLabel = "<dir>",
            description = "Where the default key-value store lives. Default: .spin beside the manifest")
    Path stateDir;

    @Option(names = "--runtime-config-file", paramLabel = "<file>",
            description = "runtime-config.toml with [key_value_store.<label>] sections")
    Path runtimeConfigFile;

    @Option(names = "--admin-listen", paramLabel = "<host:port>", converter = ListenAddress.Converter.class,
            description = "Optional admin listener serving Prometheus metrics at /metrics")
    ListenAddress adminListen;

    @Option(names = "--proxy", paramLabel = "<route=url|upstream:name>",
            description = "Reverse-proxy a route to an upstream, e.g. --proxy '/api/...=http://127.0.0.1:8080',"
                    + " or to an [upstream.<name>] pool of the runtime config: '/api/...=upstream:<name>'."
                    + " Repeatable; proxy routes are checked before the manifest's routes.")
    List<String> proxies = new ArrayList<>();

    @Option(names = "--tls-cert", paramLabel = "<cert.pem>", defaultValue = "${env:SPIN_TLS_CERT}",
            description = "PEM certificate chain: serve HTTPS (HTTP/1.1 and HTTP/2) instead of HTTP. Needs --tls-key."
                    + " Default: $SPIN_TLS_CERT. Reloaded when the file changes.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "<key.pem>", defaultValue = "${env:SPIN_TLS_KEY}",
            description = "PEM private key (PKCS#8, or PKCS#1 RSA) for --tls-cert. Default: $SPIN_TLS_KEY")
    Path tlsKey;

    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stop;

    UpCommand(PrintStream out, PrintStream err, CountDownLatch stop) {
        this.out = out;
        this.err = err;
        this.stop = stop;
    }

    @Override
    public Integer call() throws Exception {
        EdgeApp app;
        try {
            List<ProxyRoute> proxyRoutes = new ArrayList<>();
            for (String proxy : proxies) {
                proxyRoutes.add(ProxyRoute.parse(proxy));
            }
            if ((tlsCert == null) != (tlsKey == null)) {
                err.println("Error: --tls-cert and --tls-key (or SPIN_TLS_CERT and SPIN_TLS_KEY) go together");
                return 1;
            }
            Optional<TlsFiles> tls = tlsCert == null ? Optional.empty() : Optional.of(new TlsFiles(tlsCert, tlsKey));
            app = EdgeApp.start(new EdgeApp.Settings(from, listen, stateDir, runtimeConfigFile, adminListen, proxyRoutes,
                    tls));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        } catch (WasmLoadException | IllegalArgumentException e) {
            err.println("Error: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("Error: cannot start: " + rootMessage(e));
            return 1;
        }
        Thread shutdown = new Thread(() -> {
            app.close();
            stop.countDown();
        }, "edge-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        app.printBanner(out, listen);
        stop.await();
        return 0;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }
}
