package dev.edge.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses byte sizes such as {@code "512KiB"}, {@code "128MiB"}, {@code "1GiB"} or {@code "4096"} (bytes). */
public final class ByteSizes {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,12})\\s*(B|KiB|MiB|GiB)?");

    private ByteSizes() {}

    /** The size in bytes, or empty if {@code text} is not an integer optionally followed by B, KiB, MiB or GiB. */
    public static Optional<Long> parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            return Optional.empty();
        }
        return Optional.of(n << shift);
    }

    /** {@code 134217728} as {@code "128MiB"}; sizes that are not a whole number of KiB stay in bytes. */
    public static String format(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes > 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes > 0 && bytes % 1024 == 0) {
            return (bytes >> 10) + "KiB";
        }
        return bytes + "B";
    }
}
