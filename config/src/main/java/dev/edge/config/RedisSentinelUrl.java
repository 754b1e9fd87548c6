package dev.edge.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Redis Sentinel address: {@code redis-sentinel://[[user]:password@]host:port[,host:port...]/<master-name>[/<db>]}.
 * The sentinels are asked where the primary of {@code masterName} is; the primary is then reached with the
 * credentials and database given here (the sentinels themselves are contacted without credentials).
 * A scheme of {@code rediss-sentinel} reaches the primary over TLS.
 *
 * <p>Messages of {@link IllegalArgumentException}s thrown here never contain the password.
 */
public record RedisSentinelUrl(List<HostPort> sentinels, String masterName, Optional<String> user,
                               Optional<String> password, int database, boolean tls) {

    public static final String SCHEME = "redis-sentinel";
    public static final String TLS_SCHEME = "rediss-sentinel";
    public static final int DEFAULT_SENTINEL_PORT = 26379;

    /** One sentinel. */
    public record HostPort(String host, int port) {
        @Override
        public String toString() { return host + ":" + port; }
    }

    public RedisSentinelUrl {
        sentinels = List.copyOf(sentinels);
    }

    public static boolean isSentinel(URI uri) {
        return SCHEME.equals(uri.getScheme()) || TLS_SCHEME.equals(uri.getScheme());
    }

    /** @throws IllegalArgumentException with a message that does not repeat the password */
    public static RedisSentinelUrl parse(URI uri) {
        if (!isSentinel(uri)) {
            throw new IllegalArgumentException("not a " + SCHEME + ":// URL");
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("no sentinel host:port list");
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = decode(authority.substring(0, at));
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                password = Optional.of(userInfo).filter(s -> !s.isEmpty());
            } else {
                user = Optional.of(userInfo.substring(0, colon)).filter(s -> !s.isEmpty());
                password = Optional.of(userInfo.substring(colon + 1)).filter(s -> !s.isEmpty());
            }
        }
        List<HostPort> sentinels = new ArrayList<>();
        for (String part : authority.split(",", -1)) {
            sentinels.add(hostPort(part));
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String[] segments = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[] {""};
        if (segments.length == 0 || segments.length > 2 || !segments[0].matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("path must be /<master-name> or /<master-name>/<db>, "
                    + "the master name made of A-Z a-z 0-9 . _ -");
        }
        int database = 0;
        if (segments.length == 2) {
            if (!segments[1].matches("\\d{1,2}")) {
                throw new IllegalArgumentException("database after the master name must be a number such as /0");
            }
            database = Integer.parseInt(segments[1]);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must not have a query or fragment");
        }
        return new RedisSentinelUrl(sentinels, segments[0], user, password, database, TLS_SCHEME.equals(uri.getScheme()));
    }

    private static HostPort hostPort(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty entry in the sentinel host:port list");
        }
        String host = text;
        int port = DEFAULT_SENTINEL_PORT;
        int colon = text.lastIndexOf(':');
        if (colon >= 0 && !text.endsWith("]")) {
            host = text.substring(0, colon);
            String digits = text.substring(colon + 1);
            if (!digits.matches("\\d{1,5}") || Integer.parseInt(digits) == 0 || Integer.parseInt(digits) > 65535) {
                throw new IllegalArgumentException("sentinel '" + text + "' has an invalid port");
            }
            port = Integer.parseInt(digits);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9._:-]+")) {
            throw new IllegalArgumentException("sentinel '" + text + "' has no valid host");
        }
        return new HostPort(host, port);
    }

    private static String decode(String text) {
        return java.net.URLDecoder.decode(text.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return (tls ? TLS_SCHEME : SCHEME) + "://" + (password.isPresent() || user.isPresent() ? "***@" : "")
                + String.join(",", sentinels.stream().map(HostPort::toString).toList()) + "/" + masterName
                + (database == 0 ? "" : "/" + database);
    }
}
