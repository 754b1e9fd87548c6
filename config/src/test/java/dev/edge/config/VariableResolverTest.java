package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VariableResolverTest {
    static final String APP = ManifestFixture.HEADER + """
            [variables]
            greeting = { default = "hello" }
            api_host = { default = "api.example.com" }
            api_token = { required = true, secret = true }

            [[trigger.http]]
            route = "/..."
            component = "hello"

            [component.hello]
            source = "app.wasm"
            variables = { message = "{{ greeting }}, world", auth = "Bearer {{api_token}}", plain = "x" }
            allowed_outbound_hosts = ["https://{{ api_host }}", "redis://localhost:6379"]
            """;

    @TempDir Path dir;
    AppManifest manifest;

    @BeforeEach
    void setUp() {
        manifest = new ManifestFixture(dir).load(APP);
    }

    @Test
    void defaultIsUsedWhenTheEnvironmentHasNoValue() {
        VariableResolver r = VariableResolver.resolve(manifest, Map.of("SPIN_VARIABLE_API_TOKEN", "t0ken"));
        assertThat(r.get("greeting")).contains("hello");
        assertThat(r.get("api_token")).contains("t0ken");
        assertThat(r.get("undeclared")).isEmpty();
    }

    @Test
    void requiredVariableWithoutValueFailsNamingIt() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> VariableResolver.resolve(manifest, Map.of()));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo(manifest.file() + ": variables.api_token: required variable 'api_token'"
                + " has no value; set SPIN_VARIABLE_API_TOKEN or EDGE_VARIABLE_API_TOKEN");
    }

    @Test
    void edgePrefixIsAccepted() {
        VariableResolver r = VariableResolver.resolve(manifest,
                Map.of("EDGE_VARIABLE_API_TOKEN", "e", "EDGE_VARIABLE_GREETING", "hi"));
        assertThat(r.get("api_token")).contains("e");
        assertThat(r.get("greeting")).contains("hi");
    }

    @Test
    void spinPrefixWinsOverEdgePrefixWhichWinsOverDefault() {
        VariableResolver r = VariableResolver.resolve(manifest, Map.of(
                "SPIN_VARIABLE_API_TOKEN", "s", "EDGE_VARIABLE_API_TOKEN", "e",
                "EDGE_VARIABLE_GREETING", "edge-greeting"));
        assertThat(r.get("api_token")).contains("s");
        assertThat(r.get("greeting")).contains("edge-greeting");
    }

    @Test
    void lowerCaseEnvironmentNamesAreNotMatched() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> VariableResolver.resolve(manifest, Map.of("SPIN_VARIABLE_api_token", "x")));
        assertThat(e).isNotNull();
    }

    @Test
    void rendersComponentVariables() {
        VariableResolver r = VariableResolver.resolve(manifest, Map.of("SPIN_VARIABLE_API_TOKEN", "abc123"));
        assertThat(r.componentVariables("hello")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "message", "hello, world", "auth", "Bearer abc123", "plain", "x"));
        assertThat(r.render("{{ greeting }}-{{ greeting }}")).isEqualTo("hello-hello");
        assertThatThrownBy(() -> r.render("{{ nope }}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("undefined application variable 'nope'");
    }

    @Test
    void rendersAndParsesOutboundHostTemplates() {
        VariableResolver r = VariableResolver.resolve(manifest, Map.of("SPIN_VARIABLE_API_TOKEN", "x"));
        assertThat(r.allowedOutboundHosts("hello")).containsExactly(
                new OutboundHost("https", "api.example.com", 443, 443),
                new OutboundHost("redis", "localhost", 6379, 6379));
    }

    @Test
    void outboundHostTemplateRenderingToGarbageFailsAtResolution() {
        VariableResolver r = VariableResolver.resolve(manifest,
                Map.of("SPIN_VARIABLE_API_TOKEN", "x", "SPIN_VARIABLE_API_HOST", "bad host/path"));
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> r.allowedOutboundHosts("hello"));
        assertThat(e).isNotNull();
        assertThat(e.field()).isEqualTo("component.hello.allowed_outbound_hosts[0]");
    }

    @Test
    void secretValuesAreRedacted() {
        VariableResolver r = VariableResolver.resolve(manifest, Map.of("SPIN_VARIABLE_API_TOKEN", "sup3r-s3cret"));
        String rendered = r.componentVariables("hello").get("auth");
        assertThat(rendered).isEqualTo("Bearer sup3r-s3cret");
        assertThat(r.redact("header: " + rendered)).isEqualTo("header: Bearer <redacted>");
        assertThat(r.toString()).doesNotContain("sup3r-s3cret").contains("api_token=<redacted>", "greeting=hello");
        assertThat(r.isSecret("api_token")).isTrue();
        assertThat(r.isSecret("greeting")).isFalse();
        assertThat(r.isSecretComponentVariable("hello", "auth")).isTrue();
        assertThat(r.isSecretComponentVariable("hello", "message")).isFalse();
    }

    @Test
    void redactReplacesTheLongestSecretFirst() throws Exception {
        AppManifest m = new ManifestFixture(dir).load(ManifestFixture.MINIMAL + """
                [variables]
                short = { default = "abc", secret = true }
                long = { default = "abcdef", secret = true }
                """);
        VariableResolver r = VariableResolver.resolve(m, Map.of());
        assertThat(r.redact("x abcdef y abc")).isEqualTo("x <redacted> y <redacted>");
    }
}
