package dev.edge.loadtest.kv;

import java.util.Arrays;
import java.util.Locale;

/** A fixed-size sample of nanosecond latencies with nearest-rank percentiles. */
final class Samples {
    private final long[] nanos;
    private int count;

    Samples(int capacity) {
        nanos = new long[capacity];
    }

    void add(long value) {
        nanos[count++] = value;
    }

    int count() { return count; }

    /** Nearest-rank percentile in microseconds. */
    double percentileMicros(double p) {
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1000.0;
    }

    String summary() {
        return String.format(Locale.ROOT, "n=%d p50=%.1f us p90=%.1f us p99=%.1f us p99.9=%.1f us", count,
                percentileMicros(50), percentileMicros(90), percentileMicros(99), percentileMicros(99.9));
    }

    /** A machine-readable line for loadtest/scripts/kv-figures.sh, which takes medians over runs. */
    String result(String metric) {
        return String.format(Locale.ROOT, "RESULT %s p50_us=%.1f p99_us=%.1f", metric, percentileMicros(50),
                percentileMicros(99));
    }

    /** The machine's 1-minute load average and core count, quoted next to every figure. */
    static String machineLoad() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return String.format(Locale.ROOT, "loadavg(1m)=%.2f cores=%d", os.getSystemLoadAverage(),
                os.getAvailableProcessors());
    }
}
