package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code [guest_limits]} in runtime-config.toml. */
class GuestLimitsConfigTest {
    @TempDir Path dir;

    private RuntimeConfig load(String toml) throws Exception {
        Path file = Files.writeString(dir.resolve("runtime-config.toml"), toml);
        return RuntimeConfigLoader.load(file, dir.resolve(".spin"));
    }

    @Test
    void defaultsAreFermyonsPublishedLimits() throws Exception {
        assertThat(load("").guestLimits()).isEqualTo(GuestLimitsConfig.DEFAULTS);
        assertThat(RuntimeConfigLoader.load(null, dir).guestLimits())
                .isEqualTo(new GuestLimitsConfig(128L << 20, Duration.ofSeconds(30), 10L << 20, 10L << 20));
    }

    @Test
    void allFields() throws Exception {
        RuntimeConfig rc = load("""
                [guest_limits]
                max_memory = "64MiB"
                request_timeout = "1500ms"
                max_request_body = "512KiB"
                max_response_body = 2048
                """);
        assertThat(rc.guestLimits()).isEqualTo(new GuestLimitsConfig(64L << 20, Duration.ofMillis(1500), 512 * 1024, 2048));
        // the other sections keep their defaults
        assertThat(rc.keyValueLimits()).isEqualTo(KeyValueLimits.DEFAULTS);
        assertThat(rc.hasStore("default")).isTrue();
    }

    @Test
    void omittedFieldsKeepTheirDefaults() throws Exception {
        assertThat(load("[guest_limits]\nmax_memory = \"1GiB\"\n").guestLimits())
                .isEqualTo(new GuestLimitsConfig(1L << 30, Duration.ofSeconds(30), 10L << 20, 10L << 20));
        assertThat(load("[guest_limits]\nmax_request_body = 0\n").guestLimits().maxRequestBody()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "max_memory = \"128MB\"       | guest_limits.max_memory | invalid size '128MB'; expected a number of bytes or a number followed by KiB, MiB or GiB (e.g. \"128MiB\")",
            "max_memory = \"512KiB\"      | guest_limits.max_memory | must be between 1MiB and 4GiB",
            "max_memory = \"5GiB\"        | guest_limits.max_memory | must be between 1MiB and 4GiB",
            "max_memory = 1.5            | guest_limits.max_memory | expected a size such as \"128MiB\", found a float",
            "max_memory = -1             | guest_limits.max_memory | must be between 1MiB and 4GiB",
            "request_timeout = \"0s\"     | guest_limits.request_timeout | must be greater than 0",
            "request_timeout = \"30\"     | guest_limits.request_timeout | invalid duration '30'; expected a number followed by ms, s, m or h (e.g. \"500ms\", \"30s\")",
            "request_timeout = \"11m\"    | guest_limits.request_timeout | must be at most 600s",
            "request_timeout = 30        | guest_limits.request_timeout | expected a string, found an integer",
            "max_request_body = \"2GiB\"  | guest_limits.max_request_body | must be between 0B and 1GiB",
            "max_response_body = 0       | guest_limits.max_response_body | must be between 1B and 1GiB",
            "max_memmory = \"1MiB\"       | guest_limits.max_memmory | unknown field 'max_memmory' (did you mean 'max_memory'?)",
    })
    void invalidValuesNameTheFieldAndTheReason(String line, String field, String reason) throws Exception {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("[guest_limits]\n" + line + "\n"));
        assertThat(e).as(line).isNotNull();
        assertThat(e.getMessage()).isEqualTo(dir.resolve("runtime-config.toml").toAbsolutePath().normalize() + ": "
                + field + ": " + reason);
    }

    @Test
    void byteSizes() {
        assertThat(ByteSizes.parse("10MiB")).contains(10L << 20);
        assertThat(ByteSizes.parse(" 7 KiB ")).contains(7L * 1024);
        assertThat(ByteSizes.parse("100B")).contains(100L);
        assertThat(ByteSizes.parse("100")).contains(100L);
        assertThat(ByteSizes.parse("1.5MiB")).isEmpty();
        assertThat(ByteSizes.parse("10mb")).isEmpty();
        assertThat(ByteSizes.parse("999999999999GiB")).isEmpty();
        assertThat(ByteSizes.format(128L << 20)).isEqualTo("128MiB");
        assertThat(ByteSizes.format(1536)).isEqualTo("1536B");
        assertThat(ByteSizes.format(3 * 1024)).isEqualTo("3KiB");
    }
}
