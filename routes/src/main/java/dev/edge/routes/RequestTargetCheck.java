package dev.edge.routes;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks the request head before routing. Header names must be tokens and values free of control characters
 * (a NUL or a bare CR would otherwise reach guests). The raw path must start with {@code /}, and every {@code %} starts a two-hex-digit escape, and
 * the percent-decoded path is valid UTF-8 with no NUL and no dot segment ({@code /a/../b}, {@code /a/%2e%2e/b}:
 * RFC 3986 §5.2.4 would resolve them, but a path that means something else once resolved has no honest
 * reading, and a proxy must never forward one that climbs out of its base). A path that fails is answered 400: no route or guest
 * could interpret it consistently (Undertow itself already refuses raw non-ASCII bytes and control characters).
 */
final class RequestTargetCheck {
    private RequestTargetCheck() {}

    /** Null if every header name is an RFC 9110 token and no value holds a control character (HTAB aside). */
    static String headerProblem(io.undertow.util.HeaderMap headers) {
        // Undertow's cookie iteration and indexed values: no iterator objects (this runs on every request).
        for (long at = headers.fastIterate(); at != -1L; at = headers.fiNext(at)) {
            io.undertow.util.HeaderValues values = headers.fiCurrent(at);
            String name = values.getHeaderName().toString();
            if (!SpinUndertowBinding.isSafe(name, true)) {
                return "header name is not a token";
            }
            for (int v = 0; v < values.size(); v++) {
                String value = values.get(v);
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if ((c < 0x20 && c != '\t') || c == 0x7f) {
                        return "control character 0x" + Integer.toHexString(c) + " in header " + name;
                    }
                }
            }
        }
        return null;
    }

    /** Null if {@code rawPath} is acceptable, else why not (for the log). */
    static String problem(String rawPath) {
        if (!rawPath.startsWith("/")) {
            return "request target is not an absolute path";
        }
        if (rawPath.indexOf('%') < 0) { // the usual path: visible ASCII is valid UTF-8 as it is; no copy, no decoder
            for (int i = 0; i < rawPath.length(); i++) {
                char c = rawPath.charAt(i);
                if (c > 0x7e || c < 0x21) {
                    return "raw character 0x" + Integer.toHexString(c) + " in the path";
                }
            }
            return hasDotSegment(rawPath) ? DOT_SEGMENT : null;
        }
        byte[] decoded = new byte[rawPath.length()];
        int n = 0;
        boolean nonAscii = false;
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c > 0x7e || c < 0x21) {
                return "raw character 0x" + Integer.toHexString(c) + " in the path";
            }
            if (c == '%') {
                int hi = i + 2 < rawPath.length() ? Character.digit(rawPath.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(rawPath.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    return "malformed percent-escape at index " + i;
                }
                int b = hi << 4 | lo;
                if (b == 0) {
                    return "percent-encoded NUL";
                }
                nonAscii |= b >= 0x80;
                decoded[n++] = (byte) b;
                i += 2;
            } else {
                decoded[n++] = (byte) c;
            }
        }
        if (nonAscii) {
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(decoded, 0, n));
            } catch (CharacterCodingException e) {
                return "percent-decoded path is not valid UTF-8";
            }
        }
        // One byte per char (ISO-8859-1): '.', '/' and '\' are where they were in the bytes. Only escaped paths get here.
        return hasDotSegment(new String(decoded, 0, n, StandardCharsets.ISO_8859_1)) ? DOT_SEGMENT : null;
    }

    private static final String DOT_SEGMENT = "dot segment ('.' or '..') in the path";

    /**
     * True if a segment of the (percent-decoded) path is {@code .} or {@code ..}, with {@code \} also taken as a
     * separator (some upstreams do): such a path could leave a proxy's base path or a guest's directory.
     */
    private static boolean hasDotSegment(String path) {
        int start = 0;
        int n = path.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || path.charAt(i) == '/' || path.charAt(i) == '\\') {
                int length = i - start;
                if ((length == 1 || length == 2) && path.charAt(start) == '.' && (length == 1 || path.charAt(start + 1) == '.')) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }
}
