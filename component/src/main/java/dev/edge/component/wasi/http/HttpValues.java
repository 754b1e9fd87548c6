package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;
import java.util.List;
import java.util.Locale;

/** Conversions between the {@code method}, {@code scheme} and {@code error-code} variants and Java values. */
public final class HttpValues {
    private static final List<String> METHODS =
            List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    private static final int METHOD_OTHER = 9;

    /** Cases of {@code error-code} that edge produces. */
    public static final int DNS_ERROR = 1;
    public static final int CONNECTION_REFUSED = 6;
    public static final int CONNECTION_TIMEOUT = 8;
    public static final int TLS_PROTOCOL_ERROR = 12;
    public static final int HTTP_REQUEST_DENIED = 15;
    public static final int HTTP_REQUEST_BODY_SIZE = 17;
    public static final int HTTP_REQUEST_METHOD_INVALID = 18;
    public static final int HTTP_REQUEST_URI_INVALID = 19;
    public static final int HTTP_RESPONSE_BODY_SIZE = 28;
    public static final int HTTP_RESPONSE_TIMEOUT = 33;
    public static final int HTTP_PROTOCOL_ERROR = 35;
    public static final int INTERNAL_ERROR = 38;

    private HttpValues() {
    }

    public static Variant method(String name) {
        int i = METHODS.indexOf(name);
        return i >= 0 ? new Variant(i, null) : new Variant(METHOD_OTHER, name);
    }

    public static String methodName(Variant method) {
        return method.index() == METHOD_OTHER ? (String) method.payload() : METHODS.get(method.index());
    }

    /** {@code scheme}: HTTP, HTTPS or other(string). */
    public static Variant scheme(String scheme) {
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "http" -> new Variant(0, null);
            case "https" -> new Variant(1, null);
            default -> new Variant(2, scheme);
        };
    }

    public static String schemeName(Variant scheme) {
        return switch (scheme.index()) {
            case 0 -> "http";
            case 1 -> "https";
            default -> (String) scheme.payload();
        };
    }

    public static Variant errorCode(int code) {
        return new Variant(code, null);
    }

    public static Variant internalError(String message) {
        return new Variant(INTERNAL_ERROR, message == null ? Variant.none() : Variant.some(message));
    }

    /** {@code DNS-error} with an empty {@code DNS-error-payload}. */
    public static Variant dnsError() {
        return new Variant(DNS_ERROR, new Object[] {Variant.none(), Variant.none()});
    }
}
