package dev.edge.routes;

import dev.edge.config.CidrBlock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The header rules of every kind of reverse proxying (--proxy routes, kv routes), in one place.
 * <ul>
 *   <li>Hop-by-hop headers, and every header the message's {@code Connection} names, are removed both ways
 *       (RFC 9110 §7.6.1); only an {@code Upgrade} (a WebSocket handshake and its 101) passes, with
 *       {@code Connection: upgrade}.</li>
 *   <li>From a peer not in {@code trust_forwarded}, the client's {@code X-Forwarded-For/-Host/-Proto/-Port/-Server}
 *       and {@code Forwarded} are dropped, and edge sets {@code X-Forwarded-*} itself: an upstream can believe them.
 *       From a trusted peer (another proxy in front of edge) {@code X-Forwarded-Host/-Proto} and
 *       {@code Forwarded} pass as sent, and edge's peer address is appended to {@code X-Forwarded-For}.</li>
 * </ul>
 * Names are lower case in and out. Thread-safe.
 */
public final class ProxyHeaders {
    /** RFC 9110 §7.6.1 and §11.7 (plus the legacy Keep-Alive and Proxy-Connection): never forwarded. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "transfer-encoding", "upgrade", "trailer", "proxy-authenticate", "proxy-authorization");
    /** Headers that describe earlier hops: believed only from a trusted peer. */
    private static final Set<String> FORWARDING = Set.of("x-forwarded-for", "x-forwarded-host",
            "x-forwarded-proto", "x-forwarded-port", "x-forwarded-server", "forwarded");

    private final List<CidrBlock> trustForwarded;

    /** @param trustForwarded peers whose forwarding headers are believed; empty for none */
    public ProxyHeaders(List<CidrBlock> trustForwarded) {
        this.trustForwarded = List.copyOf(trustForwarded);
    }

    /** Believes no peer. */
    public static ProxyHeaders untrusting() {
        return new ProxyHeaders(List.of());
    }

    /** The request headers an upstream gets: end-to-end ones, then edge's {@code X-Forwarded-*}. */
    public List<Map.Entry<String, String>> toUpstream(List<Map.Entry<String, String>> headers, RequestTarget target) {
        Set<String> dropped = connectionNamed(headers);
        String upgrade = upgrade(headers, dropped);
        String peerIp = ip(target.clientAddr());
        boolean trusted = isTrusted(peerIp);
        List<Map.Entry<String, String>> out = new ArrayList<>(headers.size() + 3);
        List<String> forwardedFor = new ArrayList<>(1);
        boolean hasHost = false;
        boolean hasProto = false;
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (dropped.contains(name)) {
                continue;
            }
            if (FORWARDING.contains(name)) {
                if (!trusted) {
                    continue;
                }
                if (name.equals("x-forwarded-for")) {
                    forwardedFor.add(header.getValue());
                    continue;
                }
                hasHost |= name.equals("x-forwarded-host");
                hasProto |= name.equals("x-forwarded-proto");
            }
            out.add(Map.entry(name, header.getValue()));
        }
        if (upgrade != null) {
            out.add(Map.entry("connection", "upgrade"));
            out.add(Map.entry("upgrade", upgrade));
        }
        forwardedFor.add(peerIp);
        out.add(Map.entry("x-forwarded-for", String.join(", ", forwardedFor)));
        if (!hasHost) {
            out.add(Map.entry("x-forwarded-host", target.host()));
        }
        if (!hasProto) {
            out.add(Map.entry("x-forwarded-proto", target.scheme()));
        }
        return out;
    }

    /** The response headers the client gets: the upstream's end-to-end ones (and an accepted upgrade's). */
    public List<Map.Entry<String, String>> toClient(int status, List<Map.Entry<String, String>> headers) {
        Set<String> dropped = connectionNamed(headers);
        String upgrade = status == 101 ? upgrade(headers, dropped) : null;
        List<Map.Entry<String, String>> out = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!dropped.contains(name)) {
                out.add(Map.entry(name, header.getValue()));
            }
        }
        if (upgrade != null) {
            out.add(Map.entry("connection", "upgrade"));
            out.add(Map.entry("upgrade", upgrade));
        }
        return out;
    }

    /**
     * The protocol a message switches to ({@code Upgrade}, with {@code upgrade} named in {@code Connection}), or
     * null. The one hop-by-hop header passed on, so WebSockets work through the proxy; h2c is never passed (the
     * upstream connection is HTTP/1.1).
     */
    private static String upgrade(List<Map.Entry<String, String>> headers, Set<String> connectionNamed) {
        if (connectionNamed == HOP_BY_HOP) {
            return null; // no Connection header at all
        }
        String upgrade = null;
        boolean named = false;
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase("upgrade")) {
                upgrade = header.getValue();
            } else if (header.getKey().equalsIgnoreCase("connection")) {
                for (String token : header.getValue().split(",")) {
                    named |= token.strip().equalsIgnoreCase("upgrade");
                }
            }
        }
        return named && upgrade != null && !upgrade.strip().equalsIgnoreCase("h2c") ? upgrade : null;
    }

    /** The hop-by-hop headers plus every name listed in any {@code Connection} header. */
    static Set<String> connectionNamed(List<Map.Entry<String, String>> headers) {
        Set<String> names = null;
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase("connection")) {
                if (names == null) {
                    names = new HashSet<>(HOP_BY_HOP);
                }
                addTokens(header.getValue(), names);
            }
        }
        return names == null ? HOP_BY_HOP : names;
    }

    /**
     * The names a response's {@code Connection} header values (null for none) list, lower case: with
     * {@link #HOP_BY_HOP}, what {@link #toClient} drops from a response other than a 101. Every other header passes
     * as it is, so the proxy removes these in place instead of rebuilding the response's headers.
     */
    static Set<String> namedByConnection(Collection<String> connectionValues) {
        if (connectionValues == null || connectionValues.isEmpty()) {
            return Set.of();
        }
        Set<String> names = new HashSet<>(4);
        for (String value : connectionValues) {
            addTokens(value, names);
        }
        return names;
    }

    private static void addTokens(String connectionValue, Set<String> names) {
        for (String token : connectionValue.split(",")) {
            String name = token.strip().toLowerCase(Locale.ROOT);
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
    }

    private boolean isTrusted(String peerIp) {
        if (trustForwarded.isEmpty()) {
            return false;
        }
        Optional<byte[]> address = CidrBlock.literal(peerIp);
        return address.isPresent() && trustForwarded.stream().anyMatch(block -> block.contains(address.get()));
    }

    /** The IP of an {@code ip:port} or {@code [ipv6]:port} client address. */
    static String ip(String clientAddr) {
        int colon = clientAddr.lastIndexOf(':');
        String ip = colon > 0 ? clientAddr.substring(0, colon) : clientAddr;
        return ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
    }
}
