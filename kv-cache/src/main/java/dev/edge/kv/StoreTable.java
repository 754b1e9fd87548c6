package dev.edge.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The stores one guest instance has open during one request, addressed by small integer handles as the
 * guest ABI passes them. Not thread-safe: it belongs to the single thread running the guest.
 *
 * <p>Capability checks happen here: {@link #open} refuses labels the component was not granted
 * ({@code access-denied}), and every operation goes through a handle that only {@link #open} can mint,
 * so the grant is enforced on each operation, not just at open.
 */
public final class StoreTable {
    /** Spin's limit on stores open at once in one instance. */
    public static final int MAX_OPEN_STORES = 256;

    private final KeyValueFactor factor;
    private final Set<String> granted;
    private final List<KeyValueStore> handles = new ArrayList<>();
    private int openCount;

    StoreTable(KeyValueFactor factor, Set<String> granted) {
        this.factor = factor;
        this.granted = Set.copyOf(granted);
    }

    /** Opens {@code label} and returns its handle (never negative). */
    public int open(String label) {
        if (!granted.contains(label)) {
            throw new KvException(KvException.Kind.ACCESS_DENIED,
                    "component is not granted key_value_stores label '" + label + "'");
        }
        if (openCount >= MAX_OPEN_STORES) {
            throw new KvException(KvException.Kind.STORE_TABLE_FULL,
                    "more than " + MAX_OPEN_STORES + " stores open at once");
        }
        KeyValueStore store = factor.openStore(label);
        int free = handles.indexOf(null);
        openCount++;
        if (free >= 0) {
            handles.set(free, store);
            return free;
        }
        handles.add(store);
        return handles.size() - 1;
    }

    public KeyValueStore store(int handle) {
        KeyValueStore store = handle >= 0 && handle < handles.size() ? handles.get(handle) : null;
        if (store == null) {
            throw new KvException(KvException.Kind.OTHER, "invalid store handle " + handle);
        }
        return store;
    }

    public void close(int handle) {
        store(handle);
        handles.set(handle, null);
        openCount--;
    }

    public int openCount() { return openCount; }
}
