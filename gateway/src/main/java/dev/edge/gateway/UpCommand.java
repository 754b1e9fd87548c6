package dev.edge.gateway;

import dev.edge.routes.ProxyRoute;
import dev.edge.routes.TlsFiles;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code edge up}: runs a Spin application, like {@code spin up}. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the Spin application described by a spin.toml and serve it over HTTP.")
public final class UpCommand implements Callable<Integer> {

    @Mixin
    AppSourceOptions source = new AppSourceOptions();

    @Option(names = "--listen", paramLabel = "<host:port>", defaultValue = "127.0.0.1:3000",
            converter = ListenAddress.Converter.class,
            description = "Address the HTTP trigger listens on. Default: ${DEFAULT-VALUE}")
    ListenAddress listen;

    @Option(names = "--admin-listen", paramLabel = "<host:port>", converter = ListenAddress.Converter.class,
            description = "Optional admin listener serving Prometheus metrics at /metrics")
    ListenAddress adminListen;

    @Option(names = "--admin-token-file", paramLabel = "<file>",
            description = "A file holding a bearer token: turns on the admin listener's /kv/<store>/<key> endpoints"
                    + " (GET, PUT, DELETE; GET /kv/<store>/?prefix= lists). Off without it. Needs --admin-listen.")
    Path adminTokenFile;

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

    @Option(names = {"-e", "--env"}, paramLabel = "<KEY=VALUE>",
            description = "Pass an environment variable to all components of the application, as spin up -e. Repeatable.")
    java.util.Map<String, String> env = new java.util.LinkedHashMap<>();

    @Option(names = "--access-log", paramLabel = "<file|->",
            description = "Log every request, one line each, to this file (appended to) or - for standard output."
                    + " Off by default. See --access-log-format.")
    String accessLog;

    @Option(names = "--access-log-format", paramLabel = "<json|combined>", defaultValue = "json",
            converter = AccessLogFormatConverter.class,
            description = "json (one JSON object per line) or combined (nginx's, plus request id, duration, route,"
                    + " upstream and target). Default: ${DEFAULT-VALUE}")
    dev.edge.routes.AccessLogFormat accessLogFormat;

    @Option(names = "--drain-timeout", paramLabel = "<duration>", defaultValue = "5s",
            converter = DurationConverter.class,
            description = "On SIGTERM, how long requests in flight may take to finish (e.g. 500ms, 5s, 1m);"
                    + " new requests get 503 meanwhile. Also how long a reload lets requests finish on the old app."
                    + " Default: ${DEFAULT-VALUE}")
    java.time.Duration drainTimeout;

    @Option(names = "--watch",
            description = "Reload the app (as SIGHUP does) when the manifest, the runtime config or a component's"
                    + " .wasm changes, like spin watch; for local development.")
    boolean watch;

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
        // SIGHUP (and --watch) reload the app behind the same listeners (docs/gateway.md, "Hot reload").
        Reloads reloads = new Reloads(drainTimeout, err);
        reloads.onSighup();
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
            Optional<String> adminToken = adminToken();
            if (adminToken.isPresent() && adminListen == null) {
                err.println("Error: --admin-token-file turns on /kv/ on the admin listener, which needs --admin-listen");
                return 1;
            }
            EdgeApp.Settings settings = new EdgeApp.Settings(source.from, listen, source.stateDir,
                    source.runtimeConfigFile, adminListen, proxyRoutes, env, tls, adminToken);
            app = EdgeApp.start(accessLog == null ? settings
                    : settings.withAccessLog(new AccessLogOption(accessLog, accessLogFormat)));
        } catch (Exception e) {
            return StartFailures.report(err, e);
        }
        reloads.serve(app);
        if (watch) {
            reloads.watch();
        }
        Thread shutdown = new Thread(() -> {
            reloads.close();
            app.shutdown(drainTimeout);
            stop.countDown();
        }, "edge-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        app.printBanner(out, listen);
        stop.await();
        return 0;
    }

    /** {@code json} or {@code combined}. */
    static final class AccessLogFormatConverter implements picocli.CommandLine.ITypeConverter<dev.edge.routes.AccessLogFormat> {
        @Override
        public dev.edge.routes.AccessLogFormat convert(String value) {
            try {
                return dev.edge.routes.AccessLogFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The token of {@code --admin-token-file}: the file's text without surrounding white space, never empty. */
    private Optional<String> adminToken() {
        if (adminTokenFile == null) {
            return Optional.empty();
        }
        String token;
        try {
            token = java.nio.file.Files.readString(adminTokenFile).strip();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--admin-token-file " + adminTokenFile + ": cannot read (" + e + ")");
        }
        if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("--admin-token-file " + adminTokenFile
                    + ": the token must be one word of printable ASCII");
        }
        return Optional.of(token);
    }

    /** {@code 500ms}, {@code 5s}, {@code 1m}: the runtime config's duration syntax. */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<java.time.Duration> {
        @Override
        public java.time.Duration convert(String value) {
            return dev.edge.config.Durations.parse(value).orElseThrow(() -> new picocli.CommandLine.TypeConversionException(
                    "expected a duration such as 500ms, 5s or 1m, got '" + value + "'"));
        }
    }
}
