package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code [[kv_route]]} in runtime-config.toml: the model, and errors naming file, field and reason. */
class KvRouteConfigTest {
    @TempDir Path dir;
    Path file;

    @BeforeEach
    void setUp() {
        file = dir.resolve("runtime-config.toml");
    }

    RuntimeConfig load(String toml) throws Exception {
        Files.writeString(file, toml);
        return RuntimeConfigLoader.load(file, dir.resolve(".spin"));
    }

    ConfigException error(String toml) throws Exception {
        Files.writeString(file, toml);
        return catchThrowableOfType(() -> RuntimeConfigLoader.load(file, dir.resolve(".spin")), ConfigException.class);
    }

    @Test
    void fullRouteIsParsed() throws Exception {
        RuntimeConfig rc = load("""
                [key_value_store.routing]
                type = "memory"

                [[kv_route]]
                route = "/t/:tenant/..."
                store = "routing"
                key = "upstream:{param.tenant}:{header.X-Env}"
                default_upstream = "http://127.0.0.1:9000/base"
                allowed_upstreams = ["http://127.0.0.1:*", "https://*.internal.example"]
                allowed_redirects = ["https://www.example.com"]

                [[kv_route]]
                route = "/blue-green"
                key = "switch:api"
                allowed_upstreams = []
                """);
        assertThat(rc.kvRoutes()).hasSize(2);
        KvRouteConfig first = rc.kvRoutes().get(0);
        assertThat(first.route()).isEqualTo("/t/:tenant/...");
        assertThat(first.store()).isEqualTo("routing");
        assertThat(first.key().parts()).containsExactly(
                new KeyTemplate.Part(KeyTemplate.Kind.LITERAL, "upstream:"),
                new KeyTemplate.Part(KeyTemplate.Kind.PARAM, "tenant"),
                new KeyTemplate.Part(KeyTemplate.Kind.LITERAL, ":"),
                new KeyTemplate.Part(KeyTemplate.Kind.HEADER, "x-env"));
        assertThat(first.defaultUpstream()).contains(URI.create("http://127.0.0.1:9000/base"));
        assertThat(first.allowedUpstreams()).containsExactly(
                new OriginPattern("http", "127.0.0.1", false, OriginPattern.ANY_PORT),
                new OriginPattern("https", "internal.example", true, 443));
        assertThat(first.allowedRedirects()).containsExactly(new OriginPattern("https", "www.example.com", false, 443));
        KvRouteConfig second = rc.kvRoutes().get(1);
        assertThat(second.store()).isEqualTo("default");
        assertThat(second.defaultUpstream()).isEmpty();
        assertThat(second.allowedUpstreams()).isEmpty();
    }

    @Test
    void noKvRoutesIsAnEmptyList() throws Exception {
        assertThat(load("").kvRoutes()).isEmpty();
        assertThat(RuntimeConfigLoader.load(null, dir).kvRoutes()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing allow-list     | route = "/a"; key = "k"                                                     | kv_route[0].allowed_upstreams | missing required field
            unknown store          | route = "/a"; key = "k"; store = "nope"; allowed_upstreams = []             | kv_route[0].store             | unknown key_value_store label 'nope'; defined labels: default
            unknown field          | route = "/a"; key = "k"; allowed_upstream = []                              | kv_route[0].allowed_upstream  | did you mean 'allowed_upstreams'?
            missing route          | key = "k"; allowed_upstreams = []                                           | kv_route[0].route             | missing required field
            route without slash    | route = "a"; key = "k"; allowed_upstreams = []                              | kv_route[0].route             | must start with '/'
            wildcard in the middle | route = "/a/.../b"; key = "k"; allowed_upstreams = []                       | kv_route[0].route             | only allowed as the last segment
            unnamed parameter      | route = "/a/:"; key = "k"; allowed_upstreams = []                           | kv_route[0].route             | a parameter needs a name
            key starts with data   | route = "/a"; key = "{host}"; allowed_upstreams = []                        | kv_route[0].key               | must start with literal text
            unknown placeholder    | route = "/a"; key = "k:{tenant}"; allowed_upstreams = []                    | kv_route[0].key               | unknown placeholder '{tenant}'
            unterminated brace     | route = "/a"; key = "k:{host"; allowed_upstreams = []                       | kv_route[0].key               | unterminated '{' at character 3
            param not in route     | route = "/a/:id"; key = "k:{param.tenant}"; allowed_upstreams = []          | kv_route[0].key               | '{param.tenant}' is not a parameter of route '/a/:id' (parameters: id)
            path_info no wildcard  | route = "/a"; key = "k:{path_info}"; allowed_upstreams = []                 | kv_route[0].key               | needs a wildcard route
            bad default            | route = "/a"; key = "k"; default_upstream = "ftp://x"; allowed_upstreams = [] | kv_route[0].default_upstream | must be an http(s) URL with a host
            default with password  | route = "/a"; key = "k"; default_upstream = "http://u:pw@x"; allowed_upstreams = [] | kv_route[0].default_upstream | must not have user info
            open proxy             | route = "/a"; key = "k"; allowed_upstreams = ["http://*"]                   | kv_route[0].allowed_upstreams[0] | would allow any host
            pattern with path      | route = "/a"; key = "k"; allowed_upstreams = ["http://x", "http://y/v1"]    | kv_route[0].allowed_upstreams[1] | no path, query or fragment
            pattern bad scheme     | route = "/a"; key = "k"; allowed_upstreams = ["ftp://x"]                    | kv_route[0].allowed_upstreams[0] | scheme must be http or https
            pattern bad port       | route = "/a"; key = "k"; allowed_upstreams = ["http://x:99999"]             | kv_route[0].allowed_upstreams[0] | port must be between 1 and 65535
            pattern not a string   | route = "/a"; key = "k"; allowed_upstreams = [1]                            | kv_route[0].allowed_upstreams[0] | expected a string, found an integer
            redirect pattern       | route = "/a"; key = "k"; allowed_upstreams = []; allowed_redirects = ["x"]  | kv_route[0].allowed_redirects[0] | not an origin pattern
            """)
    void invalidRouteNamesFileFieldAndReason(String name, String fields, String field, String reason) throws Exception {
        ConfigException e = error("[[kv_route]]\n" + fields.replace("; ", "\n") + "\n");
        assertThat(e).as(name).isNotNull();
        assertThat(e.file()).isEqualTo(file.toAbsolutePath().normalize());
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.reason()).contains(reason);
        assertThat(e.getMessage()).startsWith(file.toAbsolutePath().normalize() + ": " + field + ": ");
    }

    @Test
    void singleTableInsteadOfArrayGetsAHint() throws Exception {
        ConfigException e = error("""
                [kv_route]
                route = "/a"
                """);
        assertThat(e.field()).isEqualTo("kv_route");
        assertThat(e.reason()).contains("write [[kv_route]]");
    }

    @Test
    void duplicateRouteShapesAreRejected() throws Exception {
        ConfigException e = error("""
                [[kv_route]]
                route = "/t/:a/..."
                key = "k"
                allowed_upstreams = []
                [[kv_route]]
                route = "/t/:b/.../"
                key = "k2"
                allowed_upstreams = []
                """);
        assertThat(e.field()).isEqualTo("kv_route[1].route");
        assertThat(e.reason()).contains("matches the same paths as the earlier kv_route '/t/:a/...'");
    }

    @Test
    void passwordOfADefaultUpstreamIsNeverShown() throws Exception {
        ConfigException e = error("""
                [[kv_route]]
                route = "/a"
                key = "k"
                default_upstream = "http://user:s3cret@x:1"
                allowed_upstreams = []
                """);
        assertThat(e.getMessage()).doesNotContain("s3cret");
    }

    @Test
    void storeMayBeAnyConfiguredLabel() throws Exception {
        RuntimeConfig rc = load("""
                [key_value_store.user-data]
                type = "memory"
                [[kv_route]]
                route = "/..."
                store = "user-data"
                key = "route:{host}"
                allowed_upstreams = ["http://localhost:8080"]
                """);
        assertThat(rc.kvRoutes().get(0).store()).isEqualTo("user-data");
        assertThat(rc.kvRoutes().get(0).defaultUpstream()).isEqualTo(Optional.empty());
    }

    @Test
    void originPatternsMatchStructurallyNotAsText() {
        OriginPattern local = OriginPattern.parse("http://127.0.0.1:*");
        assertThat(local.matches(URI.create("http://127.0.0.1:9000/x"))).isTrue();
        assertThat(local.matches(URI.create("http://127.0.0.1/x"))).isTrue();
        assertThat(local.matches(URI.create("https://127.0.0.1:9000"))).isFalse();
        assertThat(local.matches(URI.create("http://127.0.0.1:80@evil.example/"))).isFalse();
        assertThat(local.matches(URI.create("http://127.0.0.10:9000"))).isFalse();

        OriginPattern sub = OriginPattern.parse("https://*.Internal.Example");
        assertThat(sub.matches(URI.create("https://a.internal.example"))).isTrue();
        assertThat(sub.matches(URI.create("https://A.B.INTERNAL.example./p"))).isTrue();
        assertThat(sub.matches(URI.create("https://a.internal.example:443"))).isTrue();
        assertThat(sub.matches(URI.create("https://a.internal.example:8443"))).isFalse();
        assertThat(sub.matches(URI.create("https://internal.example"))).isFalse();
        assertThat(sub.matches(URI.create("https://evilinternal.example"))).isFalse();

        OriginPattern v6 = OriginPattern.parse("http://[::1]:8080");
        assertThat(v6.matches(URI.create("http://[::1]:8080/"))).isTrue();
        assertThat(v6.matches(URI.create("http://[::1]:8081/"))).isFalse();
        assertThat(OriginPattern.anyMatches(List.of(local, v6), URI.create("http://[::1]:8080"))).isTrue();
        assertThat(OriginPattern.anyMatches(List.of(), URI.create("http://[::1]:8080"))).isFalse();
    }

    @Test
    void originPatternRejectsWildcardsInsideTheHost() {
        assertThatThrownBy(() -> OriginPattern.parse("http://10.0.*.1")).hasMessageContaining("only allowed as a leading");
        assertThatThrownBy(() -> OriginPattern.parse("http://a@b")).hasMessageContaining("user info");
        assertThatThrownBy(() -> OriginPattern.parse("http://::1")).hasMessageContaining("not a valid host");
    }

    @Test
    void keyTemplateKnowsItsPlaceholders() {
        KeyTemplate key = KeyTemplate.parse("route:{method}:{host}{path}|{path_info}");
        assertThat(key.parts()).extracting(KeyTemplate.Part::kind).containsExactly(KeyTemplate.Kind.LITERAL,
                KeyTemplate.Kind.METHOD, KeyTemplate.Kind.LITERAL, KeyTemplate.Kind.HOST, KeyTemplate.Kind.PATH,
                KeyTemplate.Kind.LITERAL, KeyTemplate.Kind.PATH_INFO);
        assertThat(key.raw()).isEqualTo("route:{method}:{host}{path}|{path_info}");
        assertThatThrownBy(() -> KeyTemplate.parse("k}")).hasMessageContaining("unmatched '}'");
        assertThatThrownBy(() -> KeyTemplate.parse("k{header.a b}")).hasMessageContaining("not a valid header name");
        assertThatThrownBy(() -> KeyTemplate.parse("")).hasMessageContaining("must not be empty");
    }
}
