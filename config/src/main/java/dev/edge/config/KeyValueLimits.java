package dev.edge.config;

/**
 * Per-application key-value quotas, {@code [key_value_limits]} in the runtime config. As with
 * {@code spin up}, the rates are unlimited (0) unless set; {@link #FERMYON_LIKE} holds Fermyon Wasm
 * Functions' published quotas, which an operator can turn on (docs/runtime-config.md). The size limits
 * always apply.
 *
 * @param readRps       reads (get, exists, get-keys pages) per second for the whole application
 * @param writeRps      writes (set, delete, increment, swap) per second for the whole application
 * @param maxKeyBytes   largest key, in UTF-8 bytes
 * @param maxValueBytes largest value, in bytes
 */
public record KeyValueLimits(long readRps, long writeRps, int maxKeyBytes, int maxValueBytes) {
    public static final long DEFAULT_READ_RPS = 0;
    public static final long DEFAULT_WRITE_RPS = 0;
    public static final int DEFAULT_MAX_KEY_BYTES = 8192;
    public static final int DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

    public static final KeyValueLimits DEFAULTS =
            new KeyValueLimits(DEFAULT_READ_RPS, DEFAULT_WRITE_RPS, DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_VALUE_BYTES);
    /** Fermyon Wasm Functions' published per-app quotas: 1000 reads and 50 writes a second. */
    public static final KeyValueLimits FERMYON_LIKE =
            new KeyValueLimits(1000, 50, DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_VALUE_BYTES);

    public KeyValueLimits {
        if (readRps < 0 || writeRps < 0 || maxKeyBytes <= 0 || maxValueBytes <= 0) {
            throw new IllegalArgumentException("rates must be >= 0 and sizes > 0");
        }
    }

    public boolean readsLimited() { return readRps > 0; }

    public boolean writesLimited() { return writeRps > 0; }
}
