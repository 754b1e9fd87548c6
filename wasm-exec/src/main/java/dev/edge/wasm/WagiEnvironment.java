package dev.edge.wasm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CGI view of a request for the WAGI executor, as Spin 3 builds it (spin-semantics.md, "WAGI executor";
 * Spin's {@code trigger-http/src/wagi.rs} and {@code http/src/wagi/mod.rs}).
 */
public final class WagiEnvironment {
    public static final String GATEWAY_INTERFACE = "CGI/1.1";
    public static final String SERVER_SOFTWARE = "WAGI/1";
    /** Spin's placeholder host when the request has no {@code Host} header. */
    static final String DEFAULT_HOST = "default_host";

    private WagiEnvironment() {}

    /**
     * The template with {@code ${SCRIPT_NAME}} replaced by the request path and {@code ${ARGS}} by the query
     * with {@code &} turned into spaces, then split on single spaces (empty arguments are kept, as in Spin).
     */
    public static List<String> argv(String template, GuestRequest request) {
        String args = query(request.uri()).replace('&', ' ');
        String line = template.replace("${SCRIPT_NAME}", path(request.uri())).replace("${ARGS}", args);
        return List.of(line.split(" ", -1));
    }

    /** The CGI meta-variables, {@code X_*} from the {@code spin-*} headers and {@code HTTP_*} from the rest. */
    public static Map<String, String> variables(GuestRequest request) {
        Map<String, String> env = new LinkedHashMap<>();
        String host = DEFAULT_HOST;
        String port = "80";
        String hostHeader = request.header("host");
        if (hostHeader != null) {
            int colon = hostHeader.indexOf(':');
            String h = colon < 0 ? hostHeader : hostHeader.substring(0, colon);
            String p = colon < 0 ? "" : hostHeader.substring(colon + 1);
            if (!h.isEmpty()) {
                host = h;
            }
            if (!p.isEmpty()) {
                port = p;
            }
        }
        String pathInfo = orEmpty(request.header("spin-path-info"));
        String clientIp = clientIp(request.clientAddr());

        env.put("AUTH_TYPE", "");
        env.put("CONTENT_LENGTH", Integer.toString(request.body().length));
        env.put("CONTENT_TYPE", orEmpty(request.header("content-type")));
        env.put("X_FULL_URL", "http://" + host + ":" + port + request.uri());
        env.put("GATEWAY_INTERFACE", GATEWAY_INTERFACE);
        env.put("X_MATCHED_ROUTE", orEmpty(request.header("spin-matched-route")));
        env.put("QUERY_STRING", query(request.uri()));
        env.put("REMOTE_ADDR", clientIp);
        env.put("REMOTE_HOST", clientIp);
        env.put("REMOTE_USER", "");
        env.put("REQUEST_METHOD", request.method());
        env.put("SCRIPT_NAME", orEmpty(request.header("spin-component-route")));
        env.put("X_RAW_PATH_INFO", pathInfo);
        env.put("PATH_INFO", percentDecodeLossy(pathInfo));
        env.put("PATH_TRANSLATED", percentDecodeLossy(pathInfo));
        env.put("SERVER_NAME", host);
        env.put("SERVER_PORT", port);
        env.put("SERVER_PROTOCOL", request.protocol());
        env.put("SERVER_SOFTWARE", SERVER_SOFTWARE);
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("spin-")) {
                continue; // routing metadata, exposed as X_* below rather than HTTP_SPIN_*
            }
            String key = "HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
            if (!key.equals("HTTP_AUTHORIZATION") && !key.equals("HTTP_CONNECTION")) {
                env.put(key, header.getValue()); // a repeated header: the last value wins
            }
        }
        // Spin's default headers override: spin-full-url -> X_FULL_URL, spin-path-info -> PATH_INFO (raw), ...
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!name.startsWith("spin-")) {
                continue;
            }
            String key = name.equals("spin-path-info")
                    ? "PATH_INFO"
                    : "X_" + name.substring("spin-".length()).toUpperCase(Locale.ROOT).replace('-', '_');
            env.put(key, header.getValue());
        }
        return env;
    }

    static String path(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    static String query(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? "" : uri.substring(q + 1);
    }

    private static String clientIp(String clientAddr) {
        if (clientAddr == null) {
            return "";
        }
        if (clientAddr.startsWith("[")) { // [v6]:port
            int end = clientAddr.indexOf(']');
            return end < 0 ? clientAddr : clientAddr.substring(1, end);
        }
        int colon = clientAddr.lastIndexOf(':');
        return colon < 0 || clientAddr.indexOf(':') != colon ? clientAddr : clientAddr.substring(0, colon);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /** Percent-decodes, then reads the bytes as UTF-8 replacing invalid sequences (Rust's decode_utf8_lossy). */
    static String percentDecodeLossy(String text) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
                out.write(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
                i += 2;
            } else {
                out.write(raw[i]);
            }
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit((char) b, 16);
    }
}
