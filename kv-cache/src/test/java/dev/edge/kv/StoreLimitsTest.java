package dev.edge.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.kv.memory.InMemoryStoreBackend;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Limits are applied by {@link KeyValueFactor} in front of every backend, on every operation path. */
class StoreLimitsTest {
    private static final StoreLimits SMALL = new StoreLimits(16, 32);

    @TempDir
    Path tempDir;

    private KeyValueFactor factor;

    @AfterEach
    void close() {
        if (factor != null) {
            factor.close();
        }
    }

    static Stream<Arguments> backends() {
        return Stream.of(
                Arguments.of("memory", (BackendMaker) dir -> new InMemoryStoreBackend()),
                Arguments.of("sqlite", (BackendMaker) dir -> SqliteStoreBackend.inStateDir(dir, "app")));
    }

    interface BackendMaker {
        StoreBackend make(Path dir);
    }

    private KeyValueStore open(BackendMaker maker, StoreLimits limits) {
        factor = new KeyValueFactor("app", Map.of("default", maker.make(tempDir)), limits);
        StoreTable table = factor.newStoreTable(java.util.Set.of("default"));
        return table.store(table.open("default"));
    }

    private static void assertOther(ThrowingCallable call, String message) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.kind()).isEqualTo(KvException.Kind.OTHER))
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void defaultLimitsAllowExactly8KiBKeysAnd1MiBValues(String name, BackendMaker maker) {
        KeyValueStore store = open(maker, StoreLimits.DEFAULT);
        String maxKey = "k".repeat(8192);
        store.set(maxKey, new byte[1024 * 1024]);
        assertThat(store.get(maxKey)).hasValueSatisfying(v -> assertThat(v).hasSize(1024 * 1024));
        assertOther(() -> store.set("x".repeat(9000), new byte[1]), "key is 9000 bytes; the limit is 8192");
        assertOther(() -> store.set("k", new byte[1024 * 1024 + 1]), "is 1048577 bytes; the limit is 1048576");
        // key length counts UTF-8 bytes, not chars: 2731 * 3 bytes = 8193
        assertOther(() -> store.get("鍵".repeat(2731)), "key is 8193 bytes; the limit is 8192");
        assertThat(store.exists("k")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyOperationPathChecksTheKey(String name, BackendMaker maker) {
        KeyValueStore store = open(maker, SMALL);
        String longKey = "k".repeat(17);
        String message = "key is 17 bytes; the limit is 16";
        List<ThrowingCallable> calls = List.of(
                () -> store.get(longKey),
                () -> store.set(longKey, new byte[1]),
                () -> store.delete(longKey),
                () -> store.exists(longKey),
                () -> store.getMany(List.of("ok", longKey)),
                () -> store.setMany(Map.of(longKey, new byte[1])),
                () -> store.deleteMany(List.of(longKey)),
                () -> store.increment(longKey, 1),
                () -> store.compareAndSwap(longKey, null, new byte[1]));
        calls.forEach(call -> assertOther(call, message));
        assertOther(() -> store.listKeys("p".repeat(17), null, 10), "prefix is 17 bytes; the limit is 16");
        assertThat(store.getKeys()).isEmpty();
        assertThatCode(() -> store.set("k".repeat(16), new byte[32])).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyWritePathChecksTheValueAndBatchesAreAllOrNothing(String name, BackendMaker maker) {
        KeyValueStore store = open(maker, SMALL);
        String message = "is 33 bytes; the limit is 32";
        assertOther(() -> store.set("a", new byte[33]), message);
        assertOther(() -> store.compareAndSwap("a", null, new byte[33]), message);
        store.set("b", bytes("old"));
        assertOther(() -> store.compareAndSwap("b", bytes("old"), new byte[33]), message);
        Map<String, byte[]> batch = new LinkedHashMap<>();
        batch.put("first", bytes("fine"));
        batch.put("second", new byte[33]);
        assertOther(() -> store.setMany(batch), message);
        assertThat(store.getKeys()).containsExactly("b");
        assertThat(store.get("b")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("old")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void invalidKeysAreRejected(String name, BackendMaker maker) {
        KeyValueStore store = open(maker, StoreLimits.DEFAULT);
        assertOther(() -> store.set("bad\uD800", bytes("v")), "not valid Unicode");
        assertOther(() -> store.get("\uDC00"), "not valid Unicode");
        assertOther(() -> store.set(null, bytes("v")), "key must not be null");
        assertOther(() -> store.set("k", null), "must not be null");
        assertOther(() -> store.listKeys("", null, 0), "limit must be at least 1");
        // the empty key is a key, as in Spin
        store.set("", bytes("empty key"));
        assertThat(store.get("")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("empty key")));
        assertThat(store.listKeys("", null, 10).keys()).containsExactly("");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void hugePageLimitsAreClamped(String name, BackendMaker maker) {
        KeyValueStore store = open(maker, StoreLimits.DEFAULT);
        Map<String, byte[]> many = new LinkedHashMap<>();
        for (int i = 0; i < StoreLimits.MAX_PAGE_KEYS + 5; i++) {
            many.put(String.format("k%05d", i), new byte[0]);
        }
        store.setMany(many);
        KeyValueStore.KeyPage page = store.listKeys("k", null, Integer.MAX_VALUE);
        assertThat(page.keys()).hasSize(StoreLimits.MAX_PAGE_KEYS);
        assertThat(page.nextCursor()).isNotNull();
        assertThat(store.listKeys("k", page.nextCursor(), Integer.MAX_VALUE).keys()).hasSize(5);
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new StoreLimits(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StoreLimits(10, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void factorUsesDefaultLimitsUnlessGiven() {
        try (KeyValueFactor defaults = new KeyValueFactor("app", Map.of())) {
            assertThat(defaults.limits()).isEqualTo(new StoreLimits(8192, 1024 * 1024));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
