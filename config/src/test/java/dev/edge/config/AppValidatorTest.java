package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppValidatorTest {
    @TempDir Path dir;

    AppManifest manifest(String labels) {
        return new ManifestFixture(dir).load(ManifestFixture.withComponentLines("key_value_stores = [" + labels + "]"));
    }

    @Test
    void defaultLabelNeedsNoRuntimeConfig() {
        assertThatCode(() -> AppValidator.validate(manifest("\"default\""), RuntimeConfigLoader.load(null, dir)))
                .doesNotThrowAnyException();
    }

    @Test
    void labelDefinedInTheRuntimeConfigIsAccepted() throws Exception {
        Path rc = dir.resolve("runtime-config.toml");
        Files.writeString(rc, "[key_value_store.user_data]\ntype = \"redis\"\nurl = \"redis://localhost:6379\"\n");
        assertThatCode(() -> AppValidator.validate(manifest("\"default\", \"user_data\""), RuntimeConfigLoader.load(rc, dir)))
                .doesNotThrowAnyException();
    }

    @Test
    void undefinedLabelFailsNamingManifestAndField() {
        AppManifest m = manifest("\"default\", \"sessions\"");
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> AppValidator.validate(m, RuntimeConfigLoader.load(null, dir)));
        assertThat(e).isNotNull();
        assertThat(e.file()).isEqualTo(m.file());
        assertThat(e.field()).isEqualTo("component.hello.key_value_stores");
        assertThat(e.getMessage()).isEqualTo(m.file() + ": component.hello.key_value_stores: unknown key_value_stores"
                + " label 'sessions'; define [key_value_store.sessions] in the runtime config (defined labels: default)");
    }
}
