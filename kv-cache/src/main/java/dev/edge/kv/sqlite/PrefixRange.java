package dev.edge.kv.sqlite;

/**
 * Turns a key prefix into a half-open range {@code [prefix, upperBound)} so SQLite can answer prefix
 * queries with an index range scan. LIKE/GLOB would treat '%', '_', '*', '?' and '[' as wildcards.
 *
 * <p>SQLite compares TEXT with the BINARY collation (memcmp of UTF-8), which orders strings by code point,
 * so the smallest string above every string starting with {@code prefix} is the prefix with its last
 * code point incremented (dropping trailing U+10FFFF code points, which cannot be incremented).
 */
final class PrefixRange {
    private PrefixRange() {
    }

    /** The exclusive upper bound, or null when there is none (empty prefix or all U+10FFFF). */
    static String upperBound(String prefix) {
        int[] codePoints = prefix.codePoints().toArray();
        for (int i = codePoints.length - 1; i >= 0; i--) {
            int cp = codePoints[i];
            if (cp < Character.MAX_CODE_POINT) {
                int next = cp + 1;
                if (next >= Character.MIN_SURROGATE && next <= Character.MAX_SURROGATE) {
                    next = Character.MAX_SURROGATE + 1; // surrogates are not characters in UTF-8
                }
                codePoints[i] = next;
                return new String(codePoints, 0, i + 1);
            }
        }
        return null;
    }
}
