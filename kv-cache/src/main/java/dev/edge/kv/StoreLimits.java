package dev.edge.kv;

import java.util.List;
import java.util.Map;

/**
 * Size limits applied to every store of every backend (by {@link KeyValueFactor}, see
 * {@link LimitedKeyValueStore}). Defaults match Fermyon/Akamai Functions: 8 KiB keys, 1 MiB values.
 *
 * <p>Key rules: a key is any string of at most {@code maxKeyBytes} UTF-8 bytes that is valid Unicode (no
 * unpaired surrogates, which have no UTF-8 form). The empty key is allowed, as in Spin.
 *
 * @param maxKeyBytes   largest key, in UTF-8 bytes
 * @param maxValueBytes largest value, in bytes
 */
public record StoreLimits(int maxKeyBytes, int maxValueBytes) {
    public static final int DEFAULT_MAX_KEY_BYTES = 8192;
    public static final int DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
    /** {@code listKeys} pages are clamped to this many keys (the limit is a hint). */
    public static final int MAX_PAGE_KEYS = 1000;

    public static final StoreLimits DEFAULT = new StoreLimits(DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_VALUE_BYTES);

    public StoreLimits {
        if (maxKeyBytes < 1 || maxValueBytes < 0) {
            throw new IllegalArgumentException("store limits must be positive: maxKeyBytes=" + maxKeyBytes
                    + ", maxValueBytes=" + maxValueBytes);
        }
    }

    /** Fails with {@link KvException.Kind#OTHER} unless {@code key} is a valid key within the limit. */
    public void checkKey(String key) {
        checkText("key", key);
    }

    /** Fails with {@link KvException.Kind#OTHER} unless {@code value} is non-null and within the limit. */
    public void checkValue(String key, byte[] value) {
        if (value == null) {
            throw new KvException(KvException.Kind.OTHER, "value of key '" + abbreviate(key) + "' must not be null");
        }
        if (value.length > maxValueBytes) {
            throw new KvException(KvException.Kind.OTHER, "value of key '" + abbreviate(key) + "' is "
                    + value.length + " bytes; the limit is " + maxValueBytes);
        }
    }

    public void checkKeys(List<String> keys) {
        if (keys == null) {
            throw new KvException(KvException.Kind.OTHER, "key list must not be null");
        }
        keys.forEach(this::checkKey);
    }

    public void checkEntries(Map<String, byte[]> entries) {
        if (entries == null) {
            throw new KvException(KvException.Kind.OTHER, "entries must not be null");
        }
        entries.forEach((key, value) -> {
            checkKey(key);
            checkValue(key, value);
        });
    }

    /** A list-keys prefix follows the key rules (a longer prefix could never match). */
    public void checkPrefix(String prefix) {
        checkText("prefix", prefix);
    }

    private void checkText(String what, String text) {
        if (text == null) {
            throw new KvException(KvException.Kind.OTHER, what + " must not be null");
        }
        int bytes = utf8Length(what, text);
        if (bytes > maxKeyBytes) {
            throw new KvException(KvException.Kind.OTHER,
                    what + " is " + bytes + " bytes; the limit is " + maxKeyBytes);
        }
    }

    /** UTF-8 length without allocating; rejects unpaired surrogates. */
    private static int utf8Length(String what, String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new KvException(KvException.Kind.OTHER,
                        what + " is not valid Unicode: unpaired surrogate at index " + i);
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String abbreviate(String key) {
        return key == null || key.length() <= 64 ? String.valueOf(key) : key.substring(0, 64) + "...";
    }
}
