package dev.edge.routes;

import dev.edge.config.CidrBlock;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.ArrayList;
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
 * The list rules' names are lower case in and out; {@link #toUpstreamInPlace}, the proxy's usual path, applies the
 * same rules to Undertow's header map. Thread-safe.
 */
public final class ProxyHeaders {
    /** RFC 9110 §7.6.1 and §11.7 (plus the legacy Keep-Alive and Proxy-Connection): never forwarded. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "transfer-encoding", "upgrade", "trailer", "proxy-authenticate", "proxy-authorization");
    /** Headers that describe earlier hops: believed only from a trusted peer. */
    private static final Set<String> FORWARDING = Set.of("x-forwarded-for", "x-forwarded-host",
            "x-forwarded-proto", "x-forwarded-port", "x-forwarded-server", "forwarded");

    /**
     * {@link #HOP_BY_HOP} but Transfer-Encoding (the proxy's framing), and {@link #FORWARDING} but the three edge sets
     * (a put replaces every value), as Undertow's names.
     */
    private static final List<HttpString> NEVER_FROM_CLIENT = List.of(Headers.CONNECTION, Headers.KEEP_ALIVE,
            new HttpString("Proxy-Connection"), Headers.TE, Headers.UPGRADE, Headers.TRAILER, Headers.PROXY_AUTHENTICATE,
            Headers.PROXY_AUTHORIZATION, Headers.X_FORWARDED_PORT, Headers.X_FORWARDED_SERVER, Headers.FORWARDED);
    /** Headers Undertow's ProxyHandler overwrites in its copy; a client's own value passes (unless Connection names it). */
    private static final List<HttpString> OVERWRITTEN_BY_PROXY_HANDLER = List.of(Headers.X_DISABLE_PUSH,
            new HttpString("HTTP2-Settings"));
    /** The framing and Host: the proxy's own, whatever a Connection header names. */
    private static final Set<String> SET_BY_PROXY = Set.of("host", "content-length", "transfer-encoding");

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

    /**
     * {@link #toUpstream}'s rules applied in place, the common case without a second copy of every header: {@code out}
     * is Undertow's ProxyHandler's copy of {@code client} (the headers the client sent) with its own {@code Connection}
     * and {@code X-Forwarded-*}. Framing ({@code Content-Length}, {@code Transfer-Encoding}) and {@code Host} are left
     * to the caller. False, with {@code out} untouched, when only {@link #toUpstream} decides: an {@code Upgrade}
     * (WebSocket), or a trusted peer's forwarding headers. Names keep the client's case (HTTP names are
     * case-insensitive).
     */
    boolean toUpstreamInPlace(HeaderMap client, HeaderMap out, RequestTarget target) {
        if (client.contains(Headers.UPGRADE)) {
            return false;
        }
        String peerIp = ip(target.clientAddr());
        if (isTrusted(peerIp)) {
            return false;
        }
        for (HttpString name : OVERWRITTEN_BY_PROXY_HANDLER) {
            out.remove(name);
            HeaderValues sent = client.get(name);
            if (sent != null) {
                out.putAll(name, sent);
            }
        }
        for (HttpString name : NEVER_FROM_CLIENT) {
            out.remove(name);
        }
        HeaderValues connection = client.get(Headers.CONNECTION);
        if (connection != null) {
            for (String value : connection) {
                removeTokens(value, out, SET_BY_PROXY);
            }
        }
        // After the Connection tokens: a Connection naming X-Forwarded-For drops the client's, never edge's.
        out.put(Headers.X_FORWARDED_FOR, peerIp);
        out.put(Headers.X_FORWARDED_HOST, target.host());
        out.put(Headers.X_FORWARDED_PROTO, target.scheme());
        return true;
    }

    /**
     * Whether the upstream gets the client's headers as sent, filtered by {@link #passesAsSent}, plus edge's
     * {@code X-Forwarded-For/-Host/-Proto}: {@link #toUpstreamInPlace}'s rules, for edge's own upstream engine
     * (UpstreamLane, which takes no {@code Upgrade}). False for a trusted peer: {@link #toUpstream} decides then.
     */
    boolean forwardsAsSent(RequestTarget target) {
        return !isTrusted(ip(target.clientAddr()));
    }

    /** {@link #NEVER_FROM_CLIENT}, the three {@code X-Forwarded-*} edge sets, and Host (the target's). */
    private static final Set<HttpString> NOT_AS_SENT = java.util.stream.Stream.concat(NEVER_FROM_CLIENT.stream(),
            java.util.stream.Stream.of(Headers.X_FORWARDED_FOR, Headers.X_FORWARDED_HOST, Headers.X_FORWARDED_PROTO,
                    Headers.HOST)).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /**
     * Whether a client header goes to the upstream as sent when {@link #forwardsAsSent}: not hop-by-hop, not one edge
     * sets, and not named by the client's {@code Connection} ({@code named}: {@link #connectionNamed(HeaderValues)}).
     */
    static boolean passesAsSent(HttpString name, List<String> named) {
        if (NOT_AS_SENT.contains(name)) {
            return false;
        }
        if (named != null) {
            for (String token : named) {
                if (name.equalToString(token)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The header names a client's {@code Connection} lists, as {@link #removeTokens} removes them: but
     * {@code keep-alive} and the proxy's own (Host and framing); null when it lists none (the usual case).
     */
    static List<String> connectionNamed(HeaderValues connection) {
        if (connection == null) {
            return null;
        }
        List<String> named = null;
        for (String value : connection) {
            if (!value.equalsIgnoreCase("keep-alive")) { // the usual value: no list
                if (named == null) {
                    named = new ArrayList<>(2);
                }
                forEachNamed(value, SET_BY_PROXY, named::add);
            }
        }
        return named == null || named.isEmpty() ? null : named;
    }

    /** Removes from {@code headers} every name a {@code Connection} value lists, but those in {@code kept} (lower case). */
    static void removeTokens(String connectionValue, HeaderMap headers, Set<String> kept) {
        forEachNamed(connectionValue, kept, headers::remove);
    }

    /**
     * Each name a {@code Connection} value lists, but {@code keep-alive} and those in {@code kept} (lower case), without
     * splitting the value: {@code keep-alive} and {@code close}, the usual ones, cost no String.
     */
    private static void forEachNamed(String connectionValue, Set<String> kept, java.util.function.Consumer<String> named) {
        int length = connectionValue.length();
        int i = 0;
        while (i < length) {
            while (i < length && isListSpace(connectionValue.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < length && connectionValue.charAt(i) != ',') {
                i++;
            }
            int end = i;
            while (end > start && isListSpace(connectionValue.charAt(end - 1))) {
                end--;
            }
            i++; // past the comma
            int tokenLength = end - start;
            if (tokenLength == 0 || isToken(connectionValue, start, tokenLength, "keep-alive")) {
                continue; // keep-alive is hop-by-hop itself: never forwarded
            }
            if (isToken(connectionValue, start, tokenLength, "close")) {
                named.accept("close"); // the usual token, without a String for it
                continue;
            }
            String name = connectionValue.substring(start, end);
            if (!kept.contains(name.toLowerCase(Locale.ROOT))) {
                named.accept(name);
            }
        }
    }

    /** What {@link String#strip} strips: the list rules of {@link #toUpstream} and {@link #toClient}. */
    private static boolean isListSpace(char c) {
        return Character.isWhitespace(c);
    }

    private static boolean isToken(String value, int start, int length, String token) {
        return length == token.length() && value.regionMatches(true, start, token, 0, length);
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
