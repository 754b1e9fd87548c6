package dev.edge.component.spin.kv;

import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.StoreTable;
import java.time.Duration;

/**
 * One instance's key-value state: the {@link StoreTable} of the request (grants, the open-store limit, every
 * backend with its size and rate limits through {@code KeyValueFactor}), and the longest retry-after of an
 * operation a rate limit refused, so the executor can answer 429 as it does for core-module guests.
 */
public final class KeyValueState {
    private final StoreTable table;
    private Duration retryAfter;

    public KeyValueState(StoreTable table) {
        this.table = table;
    }

    /** A rate limit refused an operation during this request: how long until a retry can succeed. */
    public java.util.Optional<Duration> rateLimitedFor() {
        return java.util.Optional.ofNullable(retryAfter);
    }

    /** Opens {@code label} (checking the grant) as a guest resource. */
    OpenStore open(String label) {
        return new OpenStore(table, table.open(label));
    }

    KvException noted(KvException e) {
        e.retryAfter().ifPresent(after -> {
            if (retryAfter == null || after.compareTo(retryAfter) > 0) {
                retryAfter = after;
            }
        });
        return e;
    }

    /** The {@code store} / {@code bucket} resource: a handle in the table, released when the guest drops it. */
    static final class OpenStore implements AutoCloseable {
        private final StoreTable table;
        private final int handle;
        private boolean closed;

        OpenStore(StoreTable table, int handle) {
            this.table = table;
            this.handle = handle;
        }

        KeyValueStore store() {
            return table.store(handle);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                table.close(handle);
            }
        }
    }
}
