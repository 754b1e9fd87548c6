package dev.edge.kv;

import java.nio.charset.StandardCharsets;

/**
 * The one counter encoding edge uses on every backend: a decimal ASCII i64 ({@code "-42"}), the same
 * encoding Redis' INCRBY uses, so counters are readable with {@code get} and portable between backends.
 */
public final class Counters {
    /** Leading zeros are accepted (Long.parseLong does); this only bounds the work on junk values. */
    private static final int MAX_DIGITS_WITH_LEADING_ZEROS = 64;

    private Counters() {
    }

    public static byte[] encode(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /** True if {@code value} is an optional '-' followed by ASCII digits (it may still overflow an i64). */
    public static boolean isDecimal(byte[] value) {
        int start = value.length > 0 && value[0] == '-' ? 1 : 0;
        if (value.length == start || value.length > MAX_DIGITS_WITH_LEADING_ZEROS) {
            return false;
        }
        for (int i = start; i < value.length; i++) {
            if (value[i] < '0' || value[i] > '9') {
                return false;
            }
        }
        return true;
    }

    /** Parses a decimal counter value; {@link KvException.Kind#OTHER} if it is not a decimal i64. */
    public static long parseDecimal(String key, byte[] value) {
        if (!isDecimal(value)) {
            throw new KvException(KvException.Kind.OTHER,
                    "cannot increment key '" + key + "': its value is not a decimal integer");
        }
        try {
            return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new KvException(KvException.Kind.OTHER,
                    "cannot increment key '" + key + "': its value is out of the signed 64-bit range", e);
        }
    }

    /** {@code current + delta}, or {@link KvException.Kind#OTHER} on signed 64-bit overflow. */
    public static long add(String key, long current, long delta) {
        try {
            return Math.addExact(current, delta);
        } catch (ArithmeticException e) {
            throw new KvException(KvException.Kind.OTHER,
                    "cannot increment key '" + key + "' by " + delta + ": the result overflows a signed 64-bit integer", e);
        }
    }
}
