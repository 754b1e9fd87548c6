package dev.edge.component.spin.kv;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.HostContext;
import dev.edge.component.host.HostInterface;
import dev.edge.component.spin.kv.KeyValueState.OpenStore;
import dev.edge.kv.KvException;
import java.util.ArrayList;

/**
 * {@code fermyon:spin/key-value@2.0.0} over {@link KeyValueState}. Errors are Spin's variant: case 0
 * {@code store-table-full}, 1 {@code no-such-store}, 2 {@code access-denied}, 3 {@code other(string)}.
 *
 * <p>Spin 3's {@code spin:key-value@3.0.0} is not provided: its only published WIT uses Component Model
 * async functions, streams and futures, which edge's runtime refuses, so a component importing it fails at
 * load naming it. Spin 3 apps built with the JS, Rust, Go and Python SDKs import {@code fermyon:spin/key-value}.
 */
public final class SpinKeyValue {

    private SpinKeyValue() {
    }

    public static HostInterface keyValue() {
        return HostInterface.builder("fermyon:spin/key-value", "2.0.0")
                .function("[static]store.open", (cx, a) -> call(cx, () -> state(cx).open((String) a[0])))
                .function("[method]store.get", (cx, a) -> call(cx, () -> {
                    var value = store(a).store().get((String) a[1]);
                    return value.isPresent() ? Variant.some(value.get()) : Variant.none();
                }))
                .function("[method]store.set", (cx, a) -> call(cx, () -> {
                    store(a).store().set((String) a[1], (byte[]) a[2]);
                    return null;
                }))
                .function("[method]store.delete", (cx, a) -> call(cx, () -> {
                    store(a).store().delete((String) a[1]);
                    return null;
                }))
                .function("[method]store.exists", (cx, a) -> call(cx, () -> store(a).store().exists((String) a[1])))
                .function("[method]store.get-keys",
                        (cx, a) -> call(cx, () -> new ArrayList<Object>(store(a).store().getKeys())))
                .build();
    }

    /** Spin's {@code error} value for a failure. */
    static Variant error(KvException e) {
        return switch (e.kind()) {
            case STORE_TABLE_FULL -> new Variant(0, null);
            case NO_SUCH_STORE -> new Variant(1, null);
            case ACCESS_DENIED -> new Variant(2, null);
            case OTHER -> new Variant(3, String.valueOf(e.getMessage()));
        };
    }

    interface KvCall {
        Object call();
    }

    private static Variant call(HostContext cx, KvCall call) {
        try {
            return Variant.ok(call.call());
        } catch (KvException e) {
            return Variant.err(error(state(cx).noted(e)));
        }
    }

    static KeyValueState state(HostContext cx) {
        return cx.get(KeyValueState.class);
    }

    private static OpenStore store(Object[] a) {
        return (OpenStore) a[0];
    }
}
