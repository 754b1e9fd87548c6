package dev.edge.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One parsed {@code allowed_outbound_hosts} entry, following Spin's rules: {@code scheme://host[:port]}
 * where the scheme may be {@code *}, the host may be {@code *}, {@code *.domain}, {@code self}, an IP or a
 * CIDR, and the port may be {@code *}, a number or a range {@code 8000..8080}. Without a port, the scheme's
 * well-known port is used (http, https, redis, mqtt, postgres, mysql). No path is allowed.
 *
 * @param scheme   scheme or {@code *}
 * @param host     host, {@code *}, {@code *.suffix}, {@code self}, an IP or a CIDR
 * @param portLow  first allowed port; 0 with {@code portHigh} 65535 means any
 * @param portHigh last allowed port (inclusive)
 */
public record OutboundHost(String scheme, String host, int portLow, int portHigh) {
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-_]+|\\[[0-9A-Fa-f:.]+]|[0-9A-Fa-f:.]+(/\\d{1,3})?");

    /** Parses a literal entry (one without {@code {{ }}} templates); throws IllegalArgumentException with the reason. */
    public static OutboundHost parse(String entry) {
        String s = entry.trim();
        if (s.equals("insecure:allow-all")) {
            throw new IllegalArgumentException("'insecure:allow-all' is not allowed; use '*://*:*' to allow all outbound traffic");
        }
        int sep = s.indexOf("://");
        if (sep < 0) {
            throw new IllegalArgumentException("'" + entry + "' does not contain a scheme (e.g. 'https://' or '*://')");
        }
        String scheme = s.substring(0, sep);
        String rest = s.substring(sep + 3);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (!scheme.equals("*") && !SCHEME.matcher(scheme).matches()) {
            throw new IllegalArgumentException("'" + entry + "' has an invalid scheme '" + scheme + "'");
        }
        String host;
        String port;
        if (rest.startsWith("[")) { // [ipv6]:port
            int end = rest.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("'" + entry + "' has an unterminated IPv6 address");
            }
            host = rest.substring(0, end + 1);
            String after = rest.substring(end + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw new IllegalArgumentException("'" + entry + "' has unexpected text after the host");
            }
            port = after.isEmpty() ? "" : after.substring(1);
        } else {
            int colon = rest.lastIndexOf(':');
            // a CIDR such as 10.0.0.0/8 contains '/', so only reject paths after the port or on names
            host = colon < 0 ? rest : rest.substring(0, colon);
            port = colon < 0 ? "" : rest.substring(colon + 1);
        }
        if (port.contains("/")) {
            throw new IllegalArgumentException("'" + entry + "' has a path, which is not allowed");
        }
        checkHost(entry, host);
        int[] range = ports(entry, scheme, port);
        return new OutboundHost(scheme, host, range[0], range[1]);
    }

    public boolean anyPort() {
        return portLow == 0 && portHigh == 65535;
    }

    private static void checkHost(String entry, String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + entry + "' has no host");
        }
        if (host.equals("*") || host.equals("self")) {
            return;
        }
        String name = host.startsWith("*.") ? host.substring(2) : host;
        if (name.contains("*")) {
            throw new IllegalArgumentException("'" + entry + "': wildcards are allowed only as '*' or a '*.' prefix of the host");
        }
        if (name.contains("/") && !name.matches("[0-9A-Fa-f:.]+/\\d{1,3}")) {
            throw new IllegalArgumentException("'" + entry + "' has a path, which is not allowed");
        }
        if (!HOST.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + entry + "' has an invalid host '" + host + "'");
        }
    }

    private static int[] ports(String entry, String scheme, String port) {
        if (port.isEmpty()) {
            int p = wellKnownPort(scheme).orElseThrow(() -> new IllegalArgumentException(
                    "'" + entry + "' has no port and scheme '" + scheme + "' has no well-known port; add ':<port>' or ':*'"));
            return new int[] {p, p};
        }
        if (port.equals("*")) {
            return new int[] {0, 65535};
        }
        int dots = port.indexOf("..");
        if (dots >= 0) {
            int low = portNumber(entry, port.substring(0, dots));
            int high = portNumber(entry, port.substring(dots + 2));
            if (low >= high) {
                throw new IllegalArgumentException("'" + entry + "' has an empty port range '" + port + "'");
            }
            return new int[] {low, high - 1}; // Spin ranges exclude the end, like Rust's a..b
        }
        int p = portNumber(entry, port);
        return new int[] {p, p};
    }

    private static int portNumber(String entry, String text) {
        if (!text.matches("\\d{1,5}") || Integer.parseInt(text) > 65535) {
            throw new IllegalArgumentException("'" + entry + "' has an invalid port '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    static Optional<Integer> wellKnownPort(String scheme) {
        return switch (scheme) {
            case "postgres" -> Optional.of(5432);
            case "mysql" -> Optional.of(3306);
            case "redis" -> Optional.of(6379);
            case "mqtt" -> Optional.of(1883);
            case "http" -> Optional.of(80);
            case "https" -> Optional.of(443);
            default -> Optional.empty();
        };
    }
}
