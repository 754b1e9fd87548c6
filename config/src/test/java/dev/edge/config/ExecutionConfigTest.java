package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code [execution]} in runtime-config.toml. */
class ExecutionConfigTest {
    @TempDir Path dir;

    private RuntimeConfig load(String toml) throws Exception {
        Path file = Files.writeString(dir.resolve("runtime-config.toml"), toml);
        return RuntimeConfigLoader.load(file, dir.resolve(".spin"));
    }

    @Test
    void omittedMeansSizedByTheGateway() throws Exception {
        assertThat(load("").execution()).isEqualTo(ExecutionConfig.DEFAULTS);
        assertThat(RuntimeConfigLoader.load(null, dir).execution()).isEqualTo(ExecutionConfig.DEFAULTS);
    }

    @Test
    void allFields() throws Exception {
        assertThat(load("""
                [execution]
                guest_memory_budget = "512MiB"
                body_buffer_budget = "64MiB"
                max_concurrent_guests = 8
                max_queued_guests = 0
                max_concurrent_per_component = 6
                """).execution()).isEqualTo(new ExecutionConfig(OptionalLong.of(512L << 20), OptionalLong.of(64L << 20),
                OptionalInt.of(8), OptionalInt.of(0), OptionalInt.of(6)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "guest_memory_budget = \"512KiB\" | execution.guest_memory_budget | must be between 1MiB and 1024GiB",
            "max_concurrent_guests = 0        | execution.max_concurrent_guests | must be between 1 and 100000",
            "max_queued_guests = -1           | execution.max_queued_guests | must be between 0 and 100000",
            "max_guests = 3                   | execution.max_guests | unknown field 'max_guests'",
    })
    void invalidValuesNameTheFieldAndTheReason(String line, String field, String reason) throws Exception {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("[execution]\n" + line + "\n"));
        assertThat(e).as(line).isNotNull();
        assertThat(e.getMessage()).isEqualTo(dir.resolve("runtime-config.toml").toAbsolutePath().normalize() + ": "
                + field + ": " + reason);
    }
}
