package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code type = "memory"}: edge's heap-only store (used by the gateway wiring). */
class RuntimeConfigMemoryTypeTest {
    private static final Path FILE = Path.of("/app/runtime-config.toml");

    @Test
    void memoryTypeParses() {
        RuntimeConfig config = RuntimeConfigLoader.parse(FILE, """
                [key_value_store.cache]
                type = "memory"
                """, Path.of("/app/.spin"));
        assertThat(config.store("cache")).containsInstanceOf(KvStoreConfig.Memory.class);
    }

    @Test
    void memoryTypeTakesNoOtherFields() {
        assertThatThrownBy(() -> RuntimeConfigLoader.parse(FILE, """
                [key_value_store.cache]
                type = "memory"
                path = "x.db"
                """, Path.of("/app/.spin")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key_value_store.cache.path");
    }
}
