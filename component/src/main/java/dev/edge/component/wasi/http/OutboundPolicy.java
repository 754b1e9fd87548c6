package dev.edge.component.wasi.http;

import dev.edge.config.OutboundHost;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A component's {@code allowed_outbound_hosts}, checked as Spin's {@code AllowedHostsConfig} does: the scheme
 * matches or is {@code *}; the host is {@code *}, ends with {@code .domain} for {@code *.domain} (a domain
 * only, not the bare domain and not an IP), equals a literal (names case-insensitively, IPs by address), or
 * lies in a CIDR; the port (the URL's, else the scheme's well-known one) lies in the range. A relative URL
 * ({@code self}) is allowed by a {@code self} or {@code *} host with an http, https or {@code *} scheme.
 * No entries: nothing is allowed.
 */
public final class OutboundPolicy {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final List<OutboundHost> hosts;

    public OutboundPolicy(List<OutboundHost> hosts) {
        this.hosts = List.copyOf(hosts);
    }

    /** Parses the manifest entries (templates already resolved). */
    public static OutboundPolicy parse(List<String> entries) {
        return new OutboundPolicy(entries.stream().map(OutboundHost::parse).toList());
    }

    /** @param port the URL's port, or -1 for the scheme's well-known port */
    public boolean allows(String scheme, String host, int port) {
        String s = scheme.toLowerCase(Locale.ROOT);
        int p = port >= 0 ? port : switch (s) {
            case "http" -> 80;
            case "https" -> 443;
            default -> -1;
        };
        String h = stripBrackets(host.toLowerCase(Locale.ROOT));
        for (OutboundHost entry : hosts) {
            if ((entry.scheme().equals("*") || entry.scheme().equalsIgnoreCase(s))
                    && hostMatches(entry.host().toLowerCase(Locale.ROOT), h)
                    && p >= entry.portLow() && p <= entry.portHigh()) {
                return true;
            }
        }
        return false;
    }

    /** Whether a request to the app itself (a relative URL) is allowed. */
    public boolean allowsSelf() {
        for (OutboundHost entry : hosts) {
            boolean scheme = entry.scheme().equals("*") || entry.scheme().equalsIgnoreCase("http")
                    || entry.scheme().equalsIgnoreCase("https");
            if (scheme && (entry.host().equals("*") || entry.host().equals("self"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hostMatches(String pattern, String host) {
        try {
            return matches(pattern, host);
        } catch (IllegalArgumentException e) { // a malformed IP literal from the guest matches nothing
            return false;
        }
    }

    private static boolean matches(String pattern, String host) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.equals("self")) {
            return false;
        }
        boolean hostIsIp = isIpLiteral(host);
        if (pattern.startsWith("*.")) {
            return !hostIsIp && host.endsWith(pattern.substring(1));
        }
        int slash = pattern.indexOf('/');
        if (slash >= 0) {
            return hostIsIp && inCidr(host, pattern.substring(0, slash), Integer.parseInt(pattern.substring(slash + 1)));
        }
        String literal = stripBrackets(pattern);
        if (isIpLiteral(literal) && hostIsIp) {
            return address(literal).equals(address(host));
        }
        return literal.equals(host);
    }

    private static boolean inCidr(String host, String network, int prefix) {
        byte[] a = address(host).getAddress();
        byte[] n = address(network).getAddress();
        if (a.length != n.length || prefix > a.length * 8) {
            return false;
        }
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpLiteral(String host) {
        return IPV4.matcher(host).matches() || host.contains(":");
    }

    /** Only called on IP literals, so no name lookup happens. */
    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
