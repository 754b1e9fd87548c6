package dev.edge.kv.sqlite;

import dev.edge.kv.Counters;
import dev.edge.kv.KvException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads a counter from a file that Spin may have written. edge writes decimal ASCII everywhere, but Spin's
 * SQLite store writes increment results as 8-byte little-endian i64. The rule, in order:
 * <ol>
 *   <li>a value that is an optional '-' followed by ASCII digits is decimal (so {@code "12345678"}, 8 bytes,
 *       is 12,345,678, never a little-endian number);</li>
 *   <li>otherwise a value of exactly 8 bytes is Spin's little-endian i64;</li>
 *   <li>anything else is not a counter ({@link KvException.Kind#OTHER}).</li>
 * </ol>
 * The result is always written back as decimal. Rule 1 misreads only Spin counters whose 8 bytes all happen
 * to be ASCII digits or a leading '-' (values of at least 0x3030303030303030, about 3.5e18).
 */
final class SpinCounters {
    private static final int SPIN_COUNTER_BYTES = 8;

    private SpinCounters() {
    }

    static long decode(String key, byte[] value) {
        if (Counters.isDecimal(value) || value.length != SPIN_COUNTER_BYTES) {
            return Counters.parseDecimal(key, value);
        }
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
