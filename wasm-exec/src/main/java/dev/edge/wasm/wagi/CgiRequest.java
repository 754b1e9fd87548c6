package dev.edge.wasm.wagi;

import dev.edge.wasm.GuestRequest;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a WAGI guest gets for one request: {@code argv} and the CGI environment, following Spin's WAGI
 * executor ({@code spin-trigger-http} {@code wagi.rs} and {@code spin-http} {@code wagi::build_headers} +
 * {@code compute_default_headers}).
 *
 * <ul>
 *   <li>argv: the template with {@code ${SCRIPT_NAME}} replaced by the request path and {@code ${ARGS}} by the
 *       raw query with {@code &} turned into spaces, then split on single spaces. Like Spin, an empty query
 *       leaves an empty last argument for the default template ({@code "/path "} splits into
 *       {@code ["/path", ""]}).</li>
 *   <li>CGI variables: {@code AUTH_TYPE} (empty), {@code CONTENT_LENGTH} (always, the body length),
 *       {@code CONTENT_TYPE} (always; the request's content type or empty. Spin sets it always too, but reads
 *       it from a header literally named {@code CONTENT_TYPE}, so in Spin it is empty in practice),
 *       {@code GATEWAY_INTERFACE=CGI/1.1}, {@code QUERY_STRING}, {@code REMOTE_ADDR}/{@code REMOTE_HOST}
 *       (client IP without port), {@code REMOTE_USER} (empty),
 *       {@code REQUEST_METHOD}, {@code SCRIPT_NAME} (the route without {@code /...}, from
 *       {@code spin-component-route}), {@code PATH_INFO} and {@code X_RAW_PATH_INFO} (the raw wildcard remainder,
 *       from {@code spin-path-info}), {@code PATH_TRANSLATED} (PATH_INFO percent-decoded),
 *       {@code SERVER_NAME}/{@code SERVER_PORT} (from {@code Host}; default port from the URL scheme),
 *       {@code SERVER_PROTOCOL}, {@code SERVER_SOFTWARE=WAGI/1}.</li>
 *   <li>{@code X_*} from the routing headers: {@code X_FULL_URL}, {@code X_MATCHED_ROUTE}, {@code X_BASE_PATH},
 *       {@code X_RAW_COMPONENT_ROUTE}, {@code X_COMPONENT_ROUTE}, {@code X_CLIENT_ADDR} and one
 *       {@code X_PATH_MATCH_<NAME>} per {@code spin-path-match-<name>} (upper-cased, {@code -} to {@code _}).</li>
 *   <li>{@code HTTP_<NAME>} for every other request header (upper-cased, {@code -} to {@code _}) except
 *       {@code Authorization} and {@code Connection} (RFC 3875 4.1.18) and the {@code spin-*} routing headers:
 *       Spin builds the WAGI environment from the client's headers and adds the routing values only as the
 *       {@code X_*} variables above, so a WAGI guest never sees {@code HTTP_SPIN_*}. A repeated header keeps its
 *       last value, as in Spin.</li>
 *   <li>The component's {@code environment} is applied last and wins on a clash (in Spin it is set on the
 *       WASI context first, and wasi-libc's {@code getenv} returns the first match).</li>
 * </ul>
 */
final class CgiRequest {
    static final String SERVER_SOFTWARE = "WAGI/1";
    static final String GATEWAY_INTERFACE = "CGI/1.1";
    private static final String SCRIPT_NAME_TOKEN = "${SCRIPT_NAME}";
    private static final String ARGS_TOKEN = "${ARGS}";
    private static final String PATH_MATCH_PREFIX = "spin-path-match-";

    /** Routing header -> CGI variable. */
    private static final Map<String, String> ROUTING_VARIABLES = Map.of(
            "spin-full-url", "X_FULL_URL",
            "spin-path-info", "PATH_INFO",
            "spin-matched-route", "X_MATCHED_ROUTE",
            "spin-base-path", "X_BASE_PATH",
            "spin-raw-component-route", "X_RAW_COMPONENT_ROUTE",
            "spin-component-route", "X_COMPONENT_ROUTE",
            "spin-client-addr", "X_CLIENT_ADDR");

    private final String argvTemplate;
    private final boolean argvUsesScriptName;
    private final boolean argvUsesArgs;
    private final Map<String, String> componentEnvironment;

    CgiRequest(String argvTemplate, Map<String, String> componentEnvironment) {
        this.argvTemplate = argvTemplate;
        this.argvUsesScriptName = argvTemplate.contains(SCRIPT_NAME_TOKEN);
        this.argvUsesArgs = argvTemplate.contains(ARGS_TOKEN);
        this.componentEnvironment = Map.copyOf(componentEnvironment);
    }

    List<String> argv(GuestRequest request) {
        String line = argvTemplate;
        if (argvUsesScriptName) {
            line = line.replace(SCRIPT_NAME_TOKEN, path(request.uri()));
        }
        if (argvUsesArgs) {
            line = line.replace(ARGS_TOKEN, query(request.uri()).replace('&', ' '));
        }
        List<String> argv = new ArrayList<>();
        int from = 0;
        for (int at = line.indexOf(' '); at >= 0; at = line.indexOf(' ', from)) {
            argv.add(line.substring(from, at));
            from = at + 1;
        }
        argv.add(line.substring(from));
        return argv;
    }

    Map<String, String> environment(GuestRequest request) {
        Map<String, String> env = new HashMap<>(64);
        String host = null;
        String contentType = null;
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            String value = header.getValue();
            String routing = ROUTING_VARIABLES.get(name);
            if (routing != null) {
                env.put(routing, value);
            } else if (name.startsWith(PATH_MATCH_PREFIX)) {
                env.put("X_PATH_MATCH_" + cgiName(name.substring(PATH_MATCH_PREFIX.length())), value);
            } else if (!name.startsWith("spin-")) {
                if (name.equals("host")) {
                    host = value;
                } else if (name.equals("content-type")) {
                    contentType = value;
                }
                if (!name.equals("authorization") && !name.equals("connection")) {
                    env.put("HTTP_" + cgiName(name), value);
                }
            }
        }
        String uri = request.uri();
        String pathInfo = env.getOrDefault("PATH_INFO", "");
        env.put("PATH_INFO", pathInfo);
        env.put("X_RAW_PATH_INFO", pathInfo);
        env.put("PATH_TRANSLATED", percentDecode(pathInfo));
        env.put("SCRIPT_NAME", env.getOrDefault("X_COMPONENT_ROUTE", ""));
        env.put("AUTH_TYPE", "");
        env.put("CONTENT_LENGTH", Integer.toString(request.body().length));
        env.put("CONTENT_TYPE", contentType == null ? "" : contentType);
        env.put("GATEWAY_INTERFACE", GATEWAY_INTERFACE);
        env.put("QUERY_STRING", query(uri));
        String clientIp = clientIp(request.clientAddr());
        env.put("REMOTE_ADDR", clientIp);
        env.put("REMOTE_HOST", clientIp);
        env.put("REMOTE_USER", "");
        env.put("REQUEST_METHOD", request.method());
        String[] server = server(host, env.get("X_FULL_URL"));
        env.put("SERVER_NAME", server[0]);
        env.put("SERVER_PORT", server[1]);
        env.put("SERVER_PROTOCOL", request.protocol());
        env.put("SERVER_SOFTWARE", SERVER_SOFTWARE);
        env.putAll(componentEnvironment);
        return env;
    }

    /** {@code content-type} -> {@code CONTENT_TYPE}. */
    static String cgiName(String headerName) {
        return headerName.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    static String path(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    static String query(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? "" : uri.substring(q + 1);
    }

    /** {@code 1.2.3.4:5} -> {@code 1.2.3.4}; {@code [::1]:5} -> {@code ::1}. */
    static String clientIp(String clientAddr) {
        if (clientAddr == null) {
            return "";
        }
        if (clientAddr.startsWith("[")) {
            int close = clientAddr.indexOf(']');
            return close > 0 ? clientAddr.substring(1, close) : clientAddr;
        }
        int colon = clientAddr.lastIndexOf(':');
        return colon > 0 && clientAddr.indexOf(':') == colon ? clientAddr.substring(0, colon) : clientAddr;
    }

    /** [name, port] from the Host header; the port defaults to the URL scheme's (80, or 443 for https). */
    static String[] server(String host, String fullUrl) {
        String defaultPort = fullUrl != null && fullUrl.startsWith("https:") ? "443" : "80";
        if (host == null || host.isEmpty()) {
            return new String[] {"localhost", defaultPort}; // Spin: its placeholder "default_host"
        }
        String name = host;
        String port = defaultPort;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close > 0) {
                name = host.substring(0, close + 1);
                if (host.length() > close + 2 && host.charAt(close + 1) == ':') {
                    port = host.substring(close + 2);
                }
            }
        } else {
            int colon = host.indexOf(':');
            if (colon >= 0) {
                name = host.substring(0, colon);
                if (colon + 1 < host.length()) {
                    port = host.substring(colon + 1);
                }
            }
        }
        return new String[] {name.isEmpty() ? "localhost" : name, port};
    }

    /** Percent-decoding as in Rust's {@code percent_decode_str(..).decode_utf8_lossy()}: '+' stays '+'. */
    static String percentDecode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        byte[] in = raw.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[in.length]; // decoding only shrinks
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out[n++] = (byte) (hex(in[i + 1]) * 16 + hex(in[i + 2]));
                i += 2;
            } else {
                out[n++] = in[i];
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(out, 0, n)).toString();
        } catch (CharacterCodingException e) {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        }
    }

    private static int hex(byte b) {
        return Character.digit(b, 16);
    }
}
