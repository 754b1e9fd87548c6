package dev.edge.kv.redis;

import java.nio.charset.StandardCharsets;

/**
 * Maps the keys of one store (application + label) into the shared Redis keyspace:
 * {@code edge:{<app>/<label>}:<key>}.
 *
 * <p>The braces are a Redis Cluster hash tag, so every key of one store lands in one slot (MGET, MSET,
 * DEL of many keys and Lua scripts stay single-slot). {@code app} and {@code label} are percent-encoded
 * (everything but {@code [A-Za-z0-9._-]}), so neither can contain {@code /}, <code>}</code> or
 * {@code :} and two different (app, label) pairs can never produce the same prefix. The user key follows
 * verbatim: the prefix already ends at the first <code>}</code>, so the key cannot change the slot or
 * collide with another store.
 */
final class KeyNamespace {
    static final String ROOT = "edge:";

    private final String prefix;

    KeyNamespace(String appName, String label) {
        this.prefix = ROOT + "{" + escape(appName) + "/" + escape(label) + "}:";
    }

    String prefix() { return prefix; }

    String redisKey(String key) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        return prefix + key;
    }

    /** The user key of {@code redisKey}, or null if it belongs to another store. */
    String userKey(String redisKey) {
        return redisKey.startsWith(prefix) ? redisKey.substring(prefix.length()) : null;
    }

    /** A SCAN MATCH pattern for the keys of this store starting with {@code keyPrefix}. */
    String matchPattern(String keyPrefix) {
        return globEscape(prefix + (keyPrefix == null ? "" : keyPrefix)) + "*";
    }

    /** Percent-encodes every UTF-8 byte outside {@code [A-Za-z0-9._-]}. */
    static String escape(String part) {
        StringBuilder out = new StringBuilder();
        for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Escapes Redis glob metacharacters so the text matches literally. */
    static String globEscape(String literal) {
        StringBuilder out = new StringBuilder(literal.length() + 8);
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '^' || c == '-') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
