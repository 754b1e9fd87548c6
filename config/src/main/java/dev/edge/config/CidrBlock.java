package dev.edge.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IP address block such as {@code 10.0.0.0/8}, {@code 127.0.0.1} (one address) or {@code fd00::/8}.
 * Only literal addresses are accepted, so parsing never does a DNS lookup.
 */
public record CidrBlock(byte[] network, int prefixLength) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    public CidrBlock {
        network = network.clone();
    }

    /** @throws IllegalArgumentException if {@code text} is not {@code address[/prefix]} with a literal address */
    public static CidrBlock parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = literal(address).orElseThrow(() -> new IllegalArgumentException(
                "'" + text + "' is not an IP address or CIDR block such as \"10.0.0.0/8\" or \"::1/128\""));
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String digits = text.substring(slash + 1);
            if (!digits.matches("\\d{1,3}") || Integer.parseInt(digits) > bits) {
                throw new IllegalArgumentException("'" + text + "' has an invalid prefix length (0.." + bits + ")");
            }
            prefix = Integer.parseInt(digits);
        }
        return new CidrBlock(mask(bytes, prefix), prefix);
    }

    /** The bytes of a literal IPv4 or IPv6 address, or empty; never resolves a name. */
    public static java.util.Optional<byte[]> literal(String address) {
        String bare = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        if (!IPV4.matcher(bare).matches() && !IPV6.matcher(bare).matches()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(InetAddress.getByName(bare).getAddress());
        } catch (UnknownHostException e) {
            return java.util.Optional.empty();
        }
    }

    public boolean contains(byte[] address) {
        return address.length == network.length && java.util.Arrays.equals(mask(address, prefixLength), network);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] masked = address.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] &= (byte) (0xff << (8 - keep));
        }
        return masked;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CidrBlock o && o.prefixLength == prefixLength && java.util.Arrays.equals(o.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
