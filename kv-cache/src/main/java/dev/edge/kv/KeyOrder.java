package dev.edge.kv;

import java.util.Comparator;

/**
 * The order in which every backend lists keys: Unicode code-point order, which is UTF-8 byte order and
 * SQLite's BINARY collation. Java's {@link String#compareTo} compares UTF-16 units instead, which puts a
 * supplementary character (a surrogate pair, 0xD800..0xDFFF) before U+E000..U+FFFF.
 */
public final class KeyOrder {
    /** Code-point order over well-formed strings. */
    public static final Comparator<String> CODE_POINT = KeyOrder::compare;

    private KeyOrder() {
    }

    private static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return rank(x) - rank(y);
            }
        }
        return a.length() - b.length();
    }

    /** Moves surrogates above U+E000..U+FFFF, keeping the order within each group. */
    private static int rank(char c) {
        if (c >= 0xE000) {
            return c - 0x800;
        }
        return c >= 0xD800 ? c + 0x2000 : c;
    }
}
