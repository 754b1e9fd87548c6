package dev.edge.component.wasi.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code wasi:http/types.fields} resource (headers and trailers). Names are stored lower-case (field names
 * are case-insensitive, RFC 9110 §5.1; wasmtime lower-cases them too), values are bytes. As in wasmtime,
 * a name must be an RFC 9110 token and a value may not hold control characters other than tab
 * ({@code invalid-syntax}); the hop-by-hop and proxy fields of {@link #FORBIDDEN} cannot be set
 * ({@code forbidden}); fields obtained from a request or response are {@code immutable}.
 */
public final class Fields {
    /** wasmtime-wasi-http's {@code DEFAULT_FORBIDDEN_HEADERS}, which Spin uses unchanged. */
    public static final Set<String> FORBIDDEN = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "transfer-encoding", "upgrade", "http2-settings");
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private final List<Map.Entry<String, byte[]>> entries;
    private final boolean mutable;

    private Fields(List<Map.Entry<String, byte[]>> entries, boolean mutable) {
        this.entries = entries;
        this.mutable = mutable;
    }

    /** {@code constructor()}: empty and mutable. */
    public Fields() {
        this(new ArrayList<>(), true);
    }

    /** {@code from-list}: validated like {@code append}; the result is mutable. */
    static Fields fromList(List<Object> pairs) throws HeaderError {
        Fields fields = new Fields();
        for (Object pair : pairs) {
            Object[] tuple = (Object[]) pair;
            fields.append((String) tuple[0], (byte[]) tuple[1]);
        }
        return fields;
    }

    /** Immutable fields holding the given (name, latin-1 value) pairs, e.g. an ingress request's headers. */
    public static Fields immutableOf(List<Map.Entry<String, String>> headers) {
        List<Map.Entry<String, byte[]>> list = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            list.add(Map.entry(h.getKey().toLowerCase(Locale.ROOT), h.getValue().getBytes(StandardCharsets.ISO_8859_1)));
        }
        return new Fields(list, false);
    }

    /** An immutable copy: what {@code headers()} of a request or response returns. */
    Fields immutableCopy() {
        return new Fields(new ArrayList<>(entries), false);
    }

    List<Object> get(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        List<Object> values = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries) {
            if (e.getKey().equals(key)) {
                values.add(e.getValue().clone());
            }
        }
        return values;
    }

    boolean has(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        return entries.stream().anyMatch(e -> e.getKey().equals(key));
    }

    void set(String name, List<Object> values) throws HeaderError {
        String key = checkName(name);
        for (Object v : values) {
            checkValue((byte[]) v);
        }
        entries.removeIf(e -> e.getKey().equals(key));
        for (Object v : values) {
            entries.add(Map.entry(key, ((byte[]) v).clone()));
        }
    }

    void delete(String name) throws HeaderError {
        String key = checkName(name);
        entries.removeIf(e -> e.getKey().equals(key));
    }

    void append(String name, byte[] value) throws HeaderError {
        String key = checkName(name);
        checkValue(value);
        entries.add(Map.entry(key, value.clone()));
    }

    /** {@code entries()}: (name, value) tuples in insertion order. */
    List<Object> entriesValue() {
        List<Object> list = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries) {
            list.add(new Object[] {e.getKey(), e.getValue().clone()});
        }
        return list;
    }

    /** {@code clone()}: a mutable copy. */
    Fields mutableCopy() {
        return new Fields(new ArrayList<>(entries), true);
    }

    /** The pairs with latin-1 values, as edge's HTTP layers carry them. */
    public List<Map.Entry<String, String>> asStrings() {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries) {
            list.add(Map.entry(e.getKey(), new String(e.getValue(), StandardCharsets.ISO_8859_1)));
        }
        return list;
    }

    private String checkName(String name) throws HeaderError {
        if (!mutable) {
            throw new HeaderError(HeaderError.IMMUTABLE);
        }
        if (!isToken(name)) {
            throw new HeaderError(HeaderError.INVALID_SYNTAX);
        }
        String key = name.toLowerCase(Locale.ROOT);
        if (FORBIDDEN.contains(key)) {
            throw new HeaderError(HeaderError.FORBIDDEN);
        }
        return key;
    }

    private static void checkValue(byte[] value) throws HeaderError {
        for (byte b : value) {
            int c = b & 0xff;
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new HeaderError(HeaderError.INVALID_SYNTAX);
            }
        }
    }

    static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || TCHAR_SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
