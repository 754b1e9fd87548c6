package dev.edge.wasm.wagi;

import dev.edge.config.Component;
import dev.edge.config.Executor;
import dev.edge.config.FileMount;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestOutputSink;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.WasmLoadException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The WAGI test guest (src/test/guests/wagi/cgi.c, built by scripts/build-wasm.sh) and request helpers. */
final class WagiGuests {
    private WagiGuests() {}

    static final Path CGI = Path.of("src/test/resources/guests/wagi/cgi.wasm").toAbsolutePath();

    static GuestLimits limits(Duration deadline, long maxResponseBody) {
        return new GuestLimits(16L << 20, deadline, 10L << 20, maxResponseBody, 4);
    }

    static GuestLimits limits() {
        return limits(Duration.ofSeconds(10), 1L << 20);
    }

    static Component component(String id, Path source, Map<String, String> environment, List<FileMount> files,
                               List<String> excludeFiles) {
        return new Component(id, source, Optional.empty(), List.of(), Map.of(), environment, files, excludeFiles,
                List.of());
    }

    static WagiHandler cgi(Executor executor, Map<String, String> environment, GuestLimits limits,
                           GuestOutputSink output, DeadlineWatchdog watchdog, Path stateDir)
            throws WasmLoadException {
        return WagiHandler.load(component("cgi", CGI, environment, List.of(), List.of()), executor,
                CGI.getParent(), stateDir, limits, output, watchdog);
    }

    /** A request as the routing layer hands it over: client headers plus the spin-* routing headers. */
    static final class Req {
        private String method = "GET";
        private String uri = "/";
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private byte[] body = new byte[0];
        private String clientAddr = "10.1.2.3:45678";

        static Req get(String uri) {
            Req r = new Req();
            r.uri = uri;
            return r;
        }

        Req method(String m) { method = m; return this; }

        Req header(String name, String value) { headers.add(Map.entry(name, value)); return this; }

        Req mode(String mode) { return header("x-mode", mode); }

        Req body(String text) { body = text.getBytes(StandardCharsets.UTF_8); return this; }

        Req body(byte[] bytes) { body = bytes; return this; }

        Req client(String addr) { clientAddr = addr; return this; }

        /** Adds the routing headers for {@code route} (as written in the manifest) matching this request. */
        Req routed(String route, Map<String, String> pathMatches) {
            String path = CgiRequest.path(uri);
            String componentRoute = route.endsWith("/...") ? route.substring(0, route.length() - 4) : route;
            String pathInfo = route.endsWith("/...") ? path.substring(Math.min(path.length(), componentRoute.length()))
                    : "";
            header("spin-full-url", "http://edge.test:3000" + uri);
            header("spin-path-info", pathInfo);
            header("spin-matched-route", route);
            header("spin-base-path", "/");
            header("spin-raw-component-route", route);
            header("spin-component-route", componentRoute);
            header("spin-client-addr", clientAddr);
            pathMatches.forEach((name, value) -> header("spin-path-match-" + name, value));
            return this;
        }

        GuestRequest build() {
            return new GuestRequest(method, uri, headers, body, clientAddr, "HTTP/1.1");
        }
    }

    static String text(GuestResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static String header(GuestResponse response, String name) {
        return response.headers().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).reduce((a, b) -> b).orElse(null);
    }

    /** Parses the env-mode body: "argc=..", "argv[i]=..", then NAME=value lines. */
    static Map<String, String> variables(GuestResponse response) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : text(response).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                vars.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return vars;
    }
}
