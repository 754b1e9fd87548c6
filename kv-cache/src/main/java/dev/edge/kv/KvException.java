package dev.edge.kv;

/** A key-value error, with the same variants as Spin's {@code key-value.error}. */
public final class KvException extends RuntimeException {

    /** Spin's error variants; the ordinal + 1 is the guest ABI error code. */
    public enum Kind {
        STORE_TABLE_FULL("store-table-full"),
        NO_SUCH_STORE("no-such-store"),
        ACCESS_DENIED("access-denied"),
        OTHER("other");

        private final String wireName;

        Kind(String wireName) { this.wireName = wireName; }

        public String wireName() { return wireName; }
    }

    private final Kind kind;
    private final java.time.Duration retryAfter;

    public KvException(Kind kind, String message) {
        this(kind, message, null);
    }

    public KvException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryAfter = null;
    }

    private KvException(String message, java.time.Duration retryAfter) {
        super(message, null, false, false); // no stack trace: this is a normal, frequent outcome
        this.kind = Kind.OTHER;
        this.retryAfter = retryAfter;
    }

    /**
     * The application's read or write quota is used up ({@link RateLimitedKeyValueStore}): Spin's {@code other}
     * for the guest, and the HTTP client gets 429 with {@code Retry-After} whatever the guest answers.
     */
    public static KvException rateLimited(String message, java.time.Duration retryAfter) {
        return new KvException(message, java.util.Objects.requireNonNull(retryAfter, "retryAfter"));
    }

    /** Present when the operation was refused by a rate limit: how long until a retry can succeed. */
    public java.util.Optional<java.time.Duration> retryAfter() {
        return java.util.Optional.ofNullable(retryAfter);
    }

    public static KvException other(String message, Throwable cause) {
        return new KvException(Kind.OTHER, message, cause);
    }

    public Kind kind() { return kind; }
}
