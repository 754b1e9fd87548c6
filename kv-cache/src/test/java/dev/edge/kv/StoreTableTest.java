package dev.edge.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.kv.memory.InMemoryStoreBackend;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StoreTableTest {
    private final InMemoryStoreBackend backend = new InMemoryStoreBackend();
    private final KeyValueFactor factor =
            new KeyValueFactor("shop", Map.of("default", backend, "user_data", backend));

    @AfterEach
    void close() {
        factor.close();
    }

    private static KvException.Kind kindOf(Throwable t) {
        return ((KvException) t).kind();
    }

    @Test
    void openGrantedConfiguredLabelGivesWorkingHandle() {
        StoreTable table = factor.newStoreTable(Set.of("default"));
        int handle = table.open("default");
        assertThat(handle).isNotNegative();
        table.store(handle).set("k", "v".getBytes(StandardCharsets.UTF_8));
        assertThat(factor.openStore("default").get("k")).hasValueSatisfying(v -> assertThat(v).isEqualTo("v".getBytes(StandardCharsets.UTF_8)));
        assertThat(table.openCount()).isEqualTo(1);
    }

    @Test
    void ungrantedLabelIsAccessDeniedEvenWhenConfigured() {
        StoreTable table = factor.newStoreTable(Set.of("default"));
        assertThatThrownBy(() -> table.open("user_data"))
                .isInstanceOf(KvException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(KvException.Kind.ACCESS_DENIED))
                .hasMessageContaining("user_data");
        assertThat(table.openCount()).isZero();
    }

    @Test
    void grantedButUnconfiguredLabelIsNoSuchStore() {
        StoreTable table = factor.newStoreTable(Set.of("default", "cache"));
        assertThatThrownBy(() -> table.open("cache"))
                .isInstanceOf(KvException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(KvException.Kind.NO_SUCH_STORE))
                .hasMessageContaining("cache");
        assertThat(table.openCount()).isZero();
    }

    @Test
    void the257thOpenIsStoreTableFullAndCloseFreesASlot() {
        StoreTable table = factor.newStoreTable(Set.of("default"));
        int[] handles = new int[StoreTable.MAX_OPEN_STORES];
        for (int i = 0; i < handles.length; i++) {
            handles[i] = table.open("default");
        }
        assertThat(handles).doesNotHaveDuplicates();
        assertThat(table.openCount()).isEqualTo(256);
        assertThatThrownBy(() -> table.open("default"))
                .isInstanceOf(KvException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(KvException.Kind.STORE_TABLE_FULL));

        table.close(handles[100]);
        int reopened = table.open("default");
        assertThat(table.store(reopened).exists("anything")).isFalse();
        assertThat(table.openCount()).isEqualTo(256);
        assertThatThrownBy(() -> table.open("default"))
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(KvException.Kind.STORE_TABLE_FULL));
    }

    @Test
    void invalidAndClosedHandlesAreOther() {
        StoreTable table = factor.newStoreTable(Set.of("default"));
        int handle = table.open("default");
        assertThatThrownBy(() -> table.store(handle + 1))
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(KvException.Kind.OTHER));
        assertThatThrownBy(() -> table.store(-1))
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(KvException.Kind.OTHER));
        table.close(handle);
        assertThatThrownBy(() -> table.store(handle))
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(KvException.Kind.OTHER))
                .hasMessageContaining("invalid store handle");
        assertThatThrownBy(() -> table.close(handle))
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(KvException.Kind.OTHER));
        assertThat(table.openCount()).isZero();
    }

    @Test
    void handlesOfOneTableAreNotValidInAnother() {
        StoreTable first = factor.newStoreTable(Set.of("default"));
        StoreTable second = factor.newStoreTable(Set.of("default"));
        int handle = first.open("default");
        assertThatThrownBy(() -> second.store(handle))
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(KvException.Kind.OTHER));
    }

    @Test
    void storesFromTheTableEnforceLimits() {
        StoreTable table = factor.newStoreTable(Set.of("default"));
        KeyValueStore store = table.store(table.open("default"));
        assertThatThrownBy(() -> store.set("x".repeat(9000), new byte[1]))
                .hasMessage("key is 9000 bytes; the limit is 8192");
    }
}
