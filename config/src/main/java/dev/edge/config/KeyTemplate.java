package dev.edge.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code key} of a kv route: literal text with {@code {placeholder}}s filled from the request.
 * Placeholders: {@code {host}} (Host header, lowercase, without port), {@code {path}} (raw path),
 * {@code {path_info}} (wildcard remainder), {@code {method}}, {@code {header.<name>}} (first value of a
 * request header) and {@code {param.<name>}} (a {@code :name} route parameter, still percent-encoded).
 * Parsing fails with {@link IllegalArgumentException} whose message is a stand-alone reason.
 */
public final class KeyTemplate {
    public enum Kind { LITERAL, HOST, PATH, PATH_INFO, METHOD, HEADER, PARAM }

    /** A literal run ({@code text} is the text), or a placeholder ({@code text} is the header/param name, else empty). */
    public record Part(Kind kind, String text) {}

    private final String raw;
    private final List<Part> parts;

    private KeyTemplate(String raw, List<Part> parts) {
        this.raw = raw;
        this.parts = List.copyOf(parts);
    }

    public static KeyTemplate parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        List<Part> parts = new ArrayList<>();
        int pos = 0;
        while (pos < text.length()) {
            int open = text.indexOf('{', pos);
            int strayClose = text.indexOf('}', pos);
            if (strayClose >= 0 && (open < 0 || strayClose < open)) {
                throw new IllegalArgumentException("unmatched '}' at character " + (strayClose + 1));
            }
            if (open < 0) {
                parts.add(new Part(Kind.LITERAL, text.substring(pos)));
                break;
            }
            if (open > pos) {
                parts.add(new Part(Kind.LITERAL, text.substring(pos, open)));
            }
            int close = text.indexOf('}', open + 1);
            if (close < 0) {
                throw new IllegalArgumentException("unterminated '{' at character " + (open + 1));
            }
            parts.add(placeholder(text.substring(open + 1, close)));
            pos = close + 1;
        }
        if (parts.get(0).kind() != Kind.LITERAL) {
            // Request data alone must not be able to name any key of the store.
            throw new IllegalArgumentException("must start with literal text (e.g. \"upstream:{host}\") so request data"
                    + " cannot address arbitrary keys of the store");
        }
        return new KeyTemplate(text, parts);
    }

    private static Part placeholder(String name) {
        switch (name) {
            case "host": return new Part(Kind.HOST, "");
            case "path": return new Part(Kind.PATH, "");
            case "path_info": return new Part(Kind.PATH_INFO, "");
            case "method": return new Part(Kind.METHOD, "");
            default: break;
        }
        if (name.startsWith("header.") && name.length() > "header.".length()) {
            String header = name.substring("header.".length()).toLowerCase(Locale.ROOT);
            if (!header.matches("[a-z0-9!#$%&'*+.^_`|~-]+")) {
                throw new IllegalArgumentException("'{" + name + "}': '" + header + "' is not a valid header name");
            }
            return new Part(Kind.HEADER, header);
        }
        if (name.startsWith("param.") && name.length() > "param.".length()) {
            return new Part(Kind.PARAM, name.substring("param.".length()));
        }
        throw new IllegalArgumentException("unknown placeholder '{" + name + "}' (expected {host}, {path}, {path_info},"
                + " {method}, {header.<name>} or {param.<name>})");
    }

    public List<Part> parts() { return parts; }

    public boolean uses(Kind kind) {
        return parts.stream().anyMatch(p -> p.kind() == kind);
    }

    /** The key as written in the config. */
    public String raw() { return raw; }

    @Override
    public String toString() { return raw; }
}
