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

    public KvException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public KvException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public static KvException other(String message, Throwable cause) {
        return new KvException(Kind.OTHER, message, cause);
    }

    public Kind kind() { return kind; }
}
