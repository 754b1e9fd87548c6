package dev.edge.routes;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A request's id ({@code x-request-id}): the client's if it is valid (1 to {@value #MAX_LENGTH} visible ASCII
 * characters), else a fresh random 128-bit number in 32 hex digits. It goes to guests and upstreams as a request
 * header, into the access log and into log lines (MDC key {@value #MDC_KEY}); like Envoy's default, it is not added
 * to the response (docs/observability.md).
 */
public final class RequestId {
    public static final String HEADER = "x-request-id";
    /** The SLF4J MDC key log lines of a request carry its id under. */
    public static final String MDC_KEY = "request_id";
    static final int MAX_LENGTH = 128;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private RequestId() {}

    /** True if {@code id} may be kept as sent: 1..128 characters, each visible ASCII (0x21..0x7e). */
    static boolean valid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** A fresh id: 128 random bits as 32 lowercase hex digits. */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] out = new byte[32]; // bytes, not chars: half the copy a String is made from
        write(random.nextLong(), out, 0);
        write(random.nextLong(), out, 16);
        return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void write(long bits, byte[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
    }

    /** The id among a request's (lowercase) headers, or null: the ingress always sets one. */
    static String in(List<Map.Entry<String, String>> headers) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equals(HEADER)) {
                return header.getValue();
            }
        }
        return null;
    }
}
