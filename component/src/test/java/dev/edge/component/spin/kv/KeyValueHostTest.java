package dev.edge.component.spin.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.HostInterface;
import dev.edge.component.wasi.TestHostContext;
import dev.edge.config.KvStoreConfig;
import dev.edge.config.KeyValueLimits;
import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KvRateLimits;
import dev.edge.kv.StoreBackend;
import dev.edge.kv.StoreLimits;
import dev.edge.kv.StoreTable;
import dev.edge.kv.memory.InMemoryStoreBackend;
import dev.edge.kv.redis.RedisStoreBackend;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import dev.edge.kv.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Spin's and WASI's key-value interfaces on every backend, through KeyValueFactor's grants and limits. */
class KeyValueHostTest {
    private static RedisServerProcess redis;
    @TempDir
    static Path tempDir;

    private final HostInterface spin = SpinKeyValue.keyValue();
    private final HostInterface store = WasiKeyValue.store();
    private final HostInterface atomics = WasiKeyValue.atomics();
    private final HostInterface batch = WasiKeyValue.batch();

    @BeforeAll
    static void startRedis() {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    static Stream<String> backends() {
        return Stream.of("memory", "sqlite", "redis");
    }

    private static StoreBackend backend(String type, String app) {
        return switch (type) {
            case "memory" -> new InMemoryStoreBackend();
            case "sqlite" -> new SqliteStoreBackend(tempDir.resolve(app + ".db"), app);
            default -> new RedisStoreBackend(KvStoreConfig.Redis.withDefaults(redis.uri()));
        };
    }

    /** App {@code app} with a configured "default" and "secret" store; the component is granted "default" and "missing". */
    private static <T> T withInstance(String type, String app, Function<TestHostContext, T> body) {
        StoreBackend backend = backend(type, app);
        try (KeyValueFactor factor = new KeyValueFactor(app, Map.of("default", backend, "secret", backend),
                new StoreLimits(64, 16))) {
            StoreTable table = factor.newStoreTable(Set.of("default", "missing"));
            return body.apply(new TestHostContext().with(new KeyValueState(table)));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void spinKeyValueStoresReadsListsAndDeletes(String type) {
        withInstance(type, "spin-" + type, cx -> {
            Object s = ok(cx.call(spin, "[static]store.open", "default"));
            assertThat(cx.call(spin, "[method]store.get", s, "k")).isEqualTo(Variant.ok(Variant.none()));
            assertThat(cx.call(spin, "[method]store.set", s, "k", bytes("v1"))).isEqualTo(Variant.ok(null));
            assertThat(cx.call(spin, "[method]store.set", s, "a", bytes("v2"))).isEqualTo(Variant.ok(null));
            Variant got = (Variant) ok(cx.call(spin, "[method]store.get", s, "k"));
            assertThat((byte[]) got.payload()).isEqualTo(bytes("v1"));
            assertThat(cx.call(spin, "[method]store.exists", s, "k")).isEqualTo(Variant.ok(true));
            assertThat(ok(cx.call(spin, "[method]store.get-keys", s))).isEqualTo(List.of("a", "k"));
            assertThat(cx.call(spin, "[method]store.delete", s, "k")).isEqualTo(Variant.ok(null));
            assertThat(cx.call(spin, "[method]store.delete", s, "k")).isEqualTo(Variant.ok(null));
            assertThat(cx.call(spin, "[method]store.exists", s, "k")).isEqualTo(Variant.ok(false));
            return null;
        });
    }

    @ParameterizedTest
    @MethodSource("backends")
    void grantsAndLimitsAreSpinsErrors(String type) {
        withInstance(type, "grants-" + type, cx -> {
            assertThat(cx.call(spin, "[static]store.open", "secret")).isEqualTo(Variant.err(new Variant(2, null)));
            assertThat(cx.call(spin, "[static]store.open", "missing")).isEqualTo(Variant.err(new Variant(1, null)));
            assertThat(cx.call(store, "open", "secret")).isEqualTo(Variant.err(new Variant(1, null)));
            assertThat(cx.call(store, "open", "missing")).isEqualTo(Variant.err(new Variant(0, null)));
            Object s = ok(cx.call(spin, "[static]store.open", "default"));
            Variant tooBig = (Variant) cx.call(spin, "[method]store.set", s, "k", new byte[17]);
            assertThat(((Variant) tooBig.payload()).index()).isEqualTo(3);
            assertThat((String) ((Variant) tooBig.payload()).payload()).isNotBlank();
            return null;
        });
    }

    @ParameterizedTest
    @MethodSource("backends")
    void droppingAStoreFreesItsSlotInTheTable(String type) {
        withInstance(type, "table-" + type, cx -> {
            List<AutoCloseable> open = new ArrayList<>();
            for (int i = 0; i < StoreTable.MAX_OPEN_STORES; i++) {
                open.add((AutoCloseable) ok(cx.call(spin, "[static]store.open", "default")));
            }
            assertThat(cx.call(spin, "[static]store.open", "default")).isEqualTo(Variant.err(new Variant(0, null)));
            try {
                open.get(0).close(); // what the runtime does on [resource-drop]store
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(((Variant) cx.call(spin, "[static]store.open", "default")).isOk()).isTrue();
            return null;
        });
    }

    @ParameterizedTest
    @MethodSource("backends")
    void wasiKeyValueStoreAtomicsAndBatch(String type) {
        withInstance(type, "wasi-" + type, cx -> {
            Object b = ok(cx.call(store, "open", "default"));
            assertThat(cx.call(batch, "set-many", b, List.<Object>of(pair("x", bytes("1")), pair("y", bytes("2")))))
                    .isEqualTo(Variant.ok(null));
            List<Object> listed = new ArrayList<>();
            Variant cursor = Variant.none();
            do { // wasi:keyvalue promises no order, and a page may hold fewer keys than remain
                Object[] page = (Object[]) ok(cx.call(store, "[method]bucket.list-keys", b, cursor));
                listed.addAll((List<?>) page[0]);
                cursor = (Variant) page[1];
            } while (cursor.isSome());
            assertThat(listed).containsExactlyInAnyOrder("x", "y");
            @SuppressWarnings("unchecked")
            List<Object> many = (List<Object>) ok(cx.call(batch, "get-many", b, List.of("y", "nope")));
            assertThat(many).hasSize(2);
            assertThat(((Object[]) many.get(0))[0]).isEqualTo("y");
            assertThat((byte[]) ((Variant) ((Object[]) many.get(0))[1]).payload()).isEqualTo(bytes("2"));
            assertThat(((Object[]) many.get(1))[1]).isEqualTo(Variant.none());

            assertThat(cx.call(atomics, "increment", b, "n", 5L)).isEqualTo(Variant.ok(5L));
            assertThat(cx.call(atomics, "increment", b, "n", -7L)).isEqualTo(Variant.ok(-2L));

            Object cas = ok(cx.call(atomics, "[static]cas.new", b, "x"));
            Variant current = (Variant) ok(cx.call(atomics, "[method]cas.current", cas));
            assertThat((byte[]) current.payload()).isEqualTo(bytes("1"));
            Object stale = ok(cx.call(atomics, "[static]cas.new", b, "x"));
            assertThat(cx.call(atomics, "swap", cas, bytes("10"))).isEqualTo(Variant.ok(null));
            Variant failed = (Variant) cx.call(atomics, "swap", stale, bytes("20"));
            Variant casError = (Variant) failed.payload();
            assertThat(casError.index()).isEqualTo(1); // cas-failed, with a fresh cas
            Variant fresh = (Variant) ok(cx.call(atomics, "[method]cas.current", casError.payload()));
            assertThat((byte[]) fresh.payload()).isEqualTo(bytes("10"));

            assertThat(cx.call(batch, "delete-many", b, List.of("x", "y"))).isEqualTo(Variant.ok(null));
            assertThat(cx.call(store, "[method]bucket.exists", b, "x")).isEqualTo(Variant.ok(false));
            return null;
        });
    }

    @org.junit.jupiter.api.Test
    void aRateLimitedCallIsOtherAndTellsTheExecutorWhenToRetry() {
        try (KeyValueFactor factor = new KeyValueFactor("rates", Map.of("default", new InMemoryStoreBackend()),
                StoreLimits.DEFAULT, KvRateLimits.of("rates", new KeyValueLimits(0, 1, 64, 64)))) {
            KeyValueState state = new KeyValueState(factor.newStoreTable(Set.of("default")));
            TestHostContext cx = new TestHostContext().with(state);
            Object s = ok(cx.call(spin, "[static]store.open", "default"));
            assertThat(cx.call(spin, "[method]store.set", s, "a", bytes("1"))).isEqualTo(Variant.ok(null));
            assertThat(state.rateLimitedFor()).isEmpty();
            Variant refused = (Variant) cx.call(spin, "[method]store.set", s, "b", bytes("2"));
            assertThat(((Variant) refused.payload()).index()).isEqualTo(3); // other
            assertThat(state.rateLimitedFor()).hasValueSatisfying(d -> assertThat(d).isPositive());
        }
    }

    private static Object ok(Object result) {
        Variant v = (Variant) result;
        assertThat(v.isOk()).as("ok, was %s", v).isTrue();
        return v.payload();
    }

    private static Object pair(String key, byte[] value) {
        return new Object[] {key, value};
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
