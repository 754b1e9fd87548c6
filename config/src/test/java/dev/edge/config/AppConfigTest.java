package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConfigTest {
    @TempDir Path dir;

    @Test
    void loadsTheTutorialAppWithItsDefaultStoreInDotSpin() {
        new ManifestFixture(dir).write(ManifestFixture.withComponentLines("key_value_stores = [\"default\"]"));
        AppConfig app = AppConfig.load(dir, null, null, Map.of());
        assertThat(app.stateDir()).isEqualTo(dir.resolve(".spin").toAbsolutePath().normalize());
        assertThat(app.runtime().store("default"))
                .contains(new KvStoreConfig.Spin(Optional.of(app.stateDir().resolve("sqlite_key_value.db"))));
        assertThat(app.manifest().components()).containsKey("hello");
    }

    @Test
    void failsOnALabelTheRuntimeConfigLacks() {
        new ManifestFixture(dir).write(ManifestFixture.withComponentLines("key_value_stores = [\"cache\"]"));
        assertThatThrownBy(() -> AppConfig.load(dir, null, null, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("component.hello.key_value_stores: unknown key_value_stores label 'cache'");
    }

    @Test
    void missingManifestNamesTheFile() {
        assertThatThrownBy(() -> AppConfig.load(dir, null, null, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("spin.toml").toAbsolutePath().normalize() + ": manifest file not found");
    }

    @Test
    void byteOrderMarkIsIgnoredAndInvalidUtf8IsReported() throws Exception {
        ManifestFixture fx = new ManifestFixture(dir);
        fx.write("\uFEFF" + ManifestFixture.MINIMAL);
        assertThat(ManifestLoader.load(fx.manifest).application().name()).isEqualTo("app");
        byte[] bytes = ManifestFixture.MINIMAL.replace("\"app\"", "\"app\u00e9\"").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(fx.manifest, bytes);
        assertThatThrownBy(() -> ManifestLoader.load(fx.manifest))
                .isInstanceOf(ConfigException.class)
                .hasMessage(fx.manifest.toAbsolutePath().normalize() + ": manifest is not valid UTF-8");
    }

    @Test
    void templatedOutboundHostsAreCheckedOnceVariablesHaveValues() {
        new ManifestFixture(dir).write(ManifestFixture.withComponentLines(
                "allowed_outbound_hosts = [\"https://{{ api_host }}\"]")
                + "\n[variables]\napi_host = { default = \"api.example.com\" }\n");
        assertThat(AppConfig.load(dir, null, null, Map.of()).manifest().components()).containsKey("hello");

        assertThatThrownBy(() -> AppConfig.load(dir, null, null, Map.of("SPIN_VARIABLE_API_HOST", "bad host/path")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(dir.resolve("spin.toml").toAbsolutePath().normalize()
                        + ": component.hello.allowed_outbound_hosts[0]: ");
    }
}
