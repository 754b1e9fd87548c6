package dev.edge.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.edge.config.KeyValueLimits;
import dev.edge.kv.memory.InMemoryStoreBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code [key_value_limits]} rates and sizes, applied by {@link KeyValueFactor} in front of a real backend. */
class KvRateLimitsTest {
    private final InMemoryStoreBackend backend = new InMemoryStoreBackend();
    private KeyValueFactor factor;

    @AfterEach
    void close() {
        if (factor != null) {
            factor.close();
        }
    }

    private KeyValueStore open(KeyValueLimits limits) {
        factor = KeyValueFactor.withLimits("app", Map.of("default", backend, "other", backend), limits);
        return factor.openStore("default");
    }

    private static byte[] v(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesOverTheQuotaFailAtOnceWithRetryAfterAndAreNotWritten() {
        KeyValueStore store = open(new KeyValueLimits(1000, 5, 8192, 1024));
        for (int i = 1; i <= 5; i++) {
            store.set("k" + i, v("x"));
        }
        long started = System.nanoTime();
        KvException refused = catchThrowableOfType(KvException.class, () -> store.set("k6", v("x")));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no waiting").isLessThan(Duration.ofMillis(200));
        assertThat(refused.kind()).isEqualTo(KvException.Kind.OTHER);
        assertThat(refused.getMessage()).startsWith("rate limit exceeded");
        assertThat(refused.retryAfter()).hasValueSatisfying(d ->
                assertThat(d).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1)));
        // the backend never saw the refused write; reads have their own quota
        assertThat(store.exists("k6")).isFalse();
        assertThat(store.get("k5")).isPresent();
        // every write kind counts, on every store of the app
        KeyValueStore other = factor.openStore("other");
        assertThatThrownBy(() -> other.delete("k1")).isInstanceOf(KvException.class).hasMessageStartingWith("rate limit");
        assertThatThrownBy(() -> store.increment("n", 1)).hasMessageStartingWith("rate limit");
        assertThatThrownBy(() -> store.compareAndSwap("k1", v("x"), v("y"))).hasMessageStartingWith("rate limit");
        assertThatThrownBy(() -> store.setMany(Map.of("a", v("1")))).hasMessageStartingWith("rate limit");
        assertThatThrownBy(() -> store.deleteMany(List.of("k1"))).hasMessageStartingWith("rate limit");
        assertThat(store.get("k1")).hasValueSatisfying(value -> assertThat(value).isEqualTo(v("x")));
        // the next period has a fresh quota
        await().atMost(Duration.ofSeconds(3)).ignoreExceptionsInstanceOf(KvException.class).untilAsserted(() -> store.set("k6", v("later")));
        assertThat(store.get("k6")).hasValueSatisfying(value -> assertThat(value).isEqualTo(v("later")));
    }

    @Test
    void readsHaveTheirOwnQuota() {
        KeyValueStore store = open(new KeyValueLimits(3, 0, 8192, 1024));
        store.set("a", v("1"));
        store.get("a");
        store.exists("a");
        store.getKeys();
        KvException refused = catchThrowableOfType(KvException.class, () -> store.listKeys("", null, 10));
        assertThat(refused.retryAfter()).isPresent();
        assertThatThrownBy(() -> store.getMany(List.of("a"))).hasMessageContaining("key-value reads per second");
        // write_rps = 0 is unlimited
        for (int i = 0; i < 100; i++) {
            store.set("w" + i, v("x"));
        }
    }

    @Test
    void aBatchCountsPerKeyUpToOnePeriodsQuota() {
        KeyValueStore store = open(new KeyValueLimits(1000, 4, 8192, 1024));
        store.setMany(Map.of("a", v("1"), "b", v("2"), "c", v("3")));
        store.set("d", v("4"));
        assertThatThrownBy(() -> store.set("e", v("5"))).hasMessageStartingWith("rate limit");
        // a batch bigger than the quota is not refused forever: it takes the whole quota of a period
        try (KeyValueFactor again = KeyValueFactor.withLimits("app", Map.of("default", new InMemoryStoreBackend()),
                new KeyValueLimits(1000, 4, 8192, 1024))) {
            KeyValueStore fresh = again.openStore("default");
            fresh.set("a", v("1"));
            await().atMost(Duration.ofSeconds(3)).ignoreExceptionsInstanceOf(KvException.class)
                    .untilAsserted(() -> fresh.deleteMany(List.of("a", "b", "c", "d", "e", "f", "g")));
            assertThat(fresh.exists("a")).isFalse();
        }
    }

    @Test
    void sizeLimitsComeFromTheSameTableAndAreCheckedBeforeTheQuota() {
        KeyValueStore store = open(new KeyValueLimits(1000, 2, 4, 8));
        assertThatThrownBy(() -> store.set("toolong", v("x"))).hasMessage("key is 7 bytes; the limit is 4");
        assertThatThrownBy(() -> store.set("k", v("123456789"))).hasMessage("value of key 'k' is 9 bytes; the limit is 8");
        // the refused operations used no quota
        store.set("a", v("1"));
        store.set("b", v("2"));
        assertThatThrownBy(() -> store.set("c", v("3"))).hasMessageStartingWith("rate limit");
    }

    @Test
    void zeroRatesAreUnlimited() {
        KeyValueStore store = open(new KeyValueLimits(0, 0, 8192, 1024));
        assertThat(factor.rates().isUnlimited()).isTrue();
        assertThat(store).isInstanceOf(LimitedKeyValueStore.class);
        assertThat(((LimitedKeyValueStore) store).delegate()).isNotInstanceOf(RateLimitedKeyValueStore.class);
        for (int i = 0; i < 200; i++) {
            store.set("k" + i, v("x"));
            store.get("k" + i);
        }
    }
}
