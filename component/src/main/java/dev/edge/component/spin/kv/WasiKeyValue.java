package dev.edge.component.spin.kv;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.HostContext;
import dev.edge.component.host.HostInterface;
import dev.edge.component.spin.kv.KeyValueState.OpenStore;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.StoreLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code wasi:keyvalue@0.2.0-draft2} (store, atomics, batch), the version Spin 3's platform world imports,
 * over the same {@link KeyValueState} as Spin's interface: a bucket's identifier is a store label. Errors:
 * case 0 {@code no-such-store}, 1 {@code access-denied}, 2 {@code other(string)} (a full store table is
 * {@code other}, as in Spin).
 */
public final class WasiKeyValue {
    public static final String VERSION = "0.2.0-draft2";

    private WasiKeyValue() {
    }

    public static List<HostInterface> interfaces() {
        return List.of(store(), atomics(), batch());
    }

    public static HostInterface store() {
        return HostInterface.builder("wasi:keyvalue/store", VERSION)
                .function("open", (cx, a) -> call(cx, () -> SpinKeyValue.state(cx).open((String) a[0])))
                .function("[method]bucket.get", (cx, a) -> call(cx, () -> {
                    var value = bucket(a).get((String) a[1]);
                    return value.isPresent() ? Variant.some(value.get()) : Variant.none();
                }))
                .function("[method]bucket.set", (cx, a) -> call(cx, () -> {
                    bucket(a).set((String) a[1], (byte[]) a[2]);
                    return null;
                }))
                .function("[method]bucket.delete", (cx, a) -> call(cx, () -> {
                    bucket(a).delete((String) a[1]);
                    return null;
                }))
                .function("[method]bucket.exists", (cx, a) -> call(cx, () -> bucket(a).exists((String) a[1])))
                .function("[method]bucket.list-keys", (cx, a) -> call(cx, () -> {
                    Variant cursor = (Variant) a[1];
                    KeyValueStore.KeyPage page = bucket(a).listKeys("",
                            cursor.isSome() ? (String) cursor.payload() : null, StoreLimits.MAX_PAGE_KEYS);
                    return new Object[] {new ArrayList<Object>(page.keys()),
                            page.nextCursor() == null ? Variant.none() : Variant.some(page.nextCursor())};
                }))
                .build();
    }

    public static HostInterface atomics() {
        return HostInterface.builder("wasi:keyvalue/atomics", VERSION)
                .function("increment", (cx, a) -> call(cx, () -> bucket(a).increment((String) a[1], (Long) a[2])))
                .function("[static]cas.new", (cx, a) -> call(cx, () -> {
                    KeyValueStore store = bucket(a);
                    String key = (String) a[1];
                    return new Cas(store, key, store.get(key).orElse(null));
                }))
                .function("[method]cas.current", (cx, a) -> call(cx, () -> {
                    byte[] current = ((Cas) a[0]).expected;
                    return current == null ? Variant.none() : Variant.some(current.clone());
                }))
                .function("swap", (cx, a) -> {
                    Cas cas = (Cas) a[0];
                    try {
                        if (cas.store.compareAndSwap(cas.key, cas.expected, (byte[]) a[1])) {
                            return Variant.ok(null);
                        }
                        // cas-failed hands the guest a fresh cas on the current value to retry with
                        return Variant.err(new Variant(1, new Cas(cas.store, cas.key, cas.store.get(cas.key).orElse(null))));
                    } catch (KvException e) {
                        return Variant.err(new Variant(0, error(SpinKeyValue.state(cx).noted(e))));
                    }
                })
                .build();
    }

    public static HostInterface batch() {
        return HostInterface.builder("wasi:keyvalue/batch", VERSION)
                .function("get-many", (cx, a) -> call(cx, () -> {
                    List<String> keys = strings(a[1]);
                    Map<String, byte[]> found = bucket(a).getMany(keys);
                    List<Object> pairs = new ArrayList<>();
                    for (String key : keys) {
                        byte[] value = found.get(key);
                        pairs.add(new Object[] {key, value == null ? Variant.none() : Variant.some(value)});
                    }
                    return pairs;
                }))
                .function("set-many", (cx, a) -> call(cx, () -> {
                    Map<String, byte[]> entries = new LinkedHashMap<>();
                    for (Object pair : (List<?>) a[1]) {
                        Object[] kv = (Object[]) pair;
                        entries.put((String) kv[0], (byte[]) kv[1]);
                    }
                    bucket(a).setMany(entries);
                    return null;
                }))
                .function("delete-many", (cx, a) -> call(cx, () -> {
                    bucket(a).deleteMany(strings(a[1]));
                    return null;
                }))
                .build();
    }

    /** The {@code cas} resource: a key and the value read when it was made. */
    static final class Cas {
        final KeyValueStore store;
        final String key;
        final byte[] expected;

        Cas(KeyValueStore store, String key, byte[] expected) {
            this.store = store;
            this.key = key;
            this.expected = expected;
        }
    }

    static Variant error(KvException e) {
        return switch (e.kind()) {
            case NO_SUCH_STORE -> new Variant(0, null);
            case ACCESS_DENIED -> new Variant(1, null);
            default -> new Variant(2, String.valueOf(e.getMessage()));
        };
    }

    private static Variant call(HostContext cx, SpinKeyValue.KvCall call) {
        try {
            return Variant.ok(call.call());
        } catch (KvException e) {
            return Variant.err(error(SpinKeyValue.state(cx).noted(e)));
        }
    }

    private static KeyValueStore bucket(Object[] a) {
        return ((OpenStore) a[0]).store();
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        List<String> keys = new ArrayList<>();
        for (Object o : (List<Object>) list) {
            keys.add((String) o);
        }
        return keys;
    }
}
