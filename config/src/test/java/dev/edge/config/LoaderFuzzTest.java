package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Mutates realistic manifests and runtime configs thousands of times: the loaders must either return a
 * model or throw {@link ConfigException} whose message names the file; never NPE, ClassCastException, etc.
 */
class LoaderFuzzTest {
    private static final Path DIR = appDir();
    private static final Path MANIFEST = DIR.resolve("spin.toml");
    private static final Path RUNTIME = DIR.resolve("runtime-config.toml");

    private static final List<String> MANIFESTS = List.of(
            ManifestFixture.MINIMAL,
            VariableResolverTest.APP,
            """
            spin_manifest_version = 2
            [application]
            name = "shop"
            version = "1.0.0"
            authors = ["a"]
            [variables]
            currency = { default = "EUR" }
            token = { required = true, secret = true }
            [[trigger.http]]
            id = "cart"
            route = "/cart/..."
            component = { source = "app.wasm", key_value_stores = ["default"], variables = { c = "{{ currency }}" } }
            [[trigger.http]]
            route = "/cgi/:name"
            component = "legacy"
            executor = { type = "wagi", argv = "${SCRIPT_NAME} ${ARGS}", entrypoint = "_start" }
            [[trigger.http]]
            route = { private = true }
            component = "legacy"
            [[trigger.http]]
            route = "/robots.txt"
            static_response = { status_code = 200, headers = { content-type = "text/plain" }, body = "hi" }
            [component.legacy]
            source = "app.wasm"
            files = ["static/*", { source = "static", destination = "/www" }]
            exclude_files = ["**/*.bak"]
            environment = { A = "b" }
            allowed_outbound_hosts = ["https://*.example.com", "*://localhost:*", "http://10.0.0.0/8:8000..9000"]
            [component.legacy.build]
            command = "make"
            watch = ["src/**"]
            """);

    private static final List<String> RUNTIME_CONFIGS = List.of("""
            [key_value_store.default]
            type = "spin"
            path = "data/kv.db"
            [key_value_store.user_data]
            type = "redis"
            url = "redis://user:pw@localhost:6379/0"
            replica_url = "redis://localhost:6380"
            region = "eu-west"
            near_cache_max_entries = 1000
            near_cache_max_ttl = "30s"
            command_timeout = "2s"
            atomic_timeout = "5s"
            wait_replicas = 1
            wait_timeout = "100ms"
            [key_value_limits]
            read_rps = 1000
            write_rps = 50
            max_key_bytes = 8192
            max_value_bytes = 1048576
            """);

    /** Values and keys swapped in to reach type and range checks, not just syntax errors. */
    private static final String[] VALUES = {
            "1", "0", "-1", "2", "1000", "99999999999", "1.5", "true", "false", "\"\"", "\"x\"", "\"/\"", "\"/x/...\"",
            "\"app.wasm\"", "\"missing.wasm\"", "[]", "[1]", "[\"a\", 2]", "{}", "{ private = true }", "{ type = \"wagi\" }",
            "{ source = \"static\", destination = \"/\" }", "\"{{ currency }}\"", "\"{{ nope\"", "\"{{ }}\"",
            "1979-05-27T07:32:00Z", "\"*://*:*\"", "\"redis://h:1\"", "\"500ms\"", "\"0s\"", "[[1]]", "{ a = { b = 1 } }",
            "\"sha256:" + "a".repeat(64) + "\"", "{ url = \"https://x\", digest = \"sha256:00\" }", "{ path = \"app.wasm\", digest = \"x\" }"};
    private static final String[] KEYS = {
            "route", "component", "source", "static_response", "executor", "type", "argv", "key_value_stores",
            "variables", "files", "name", "default", "required", "secret", "url", "path", "status_code", "headers",
            "body", "spin_manifest_version", "application", "trigger", "x", "replica_url", "near_cache_max_ttl",
            "wait_replicas", "region", "destination", "allowed_outbound_hosts", "environment", "build", "command"};
    private static final String[] SNIPPETS = {"[", "]", "{", "}", "\"", "=", "\n", ".", ",", "[[trigger.http]]\n",
            "[component.x]\n", "[variables]\n", "[application]\n", "'", "\\", "#", "{{", "}}", "\u0000", "é"};

    record Mutation(int kind, double where, int pick) {}

    @Provide
    Arbitrary<String> mutatedManifests() {
        return mutated(MANIFESTS);
    }

    @Provide
    Arbitrary<String> mutatedRuntimeConfigs() {
        return mutated(RUNTIME_CONFIGS);
    }

    private static Arbitrary<String> mutated(List<String> seeds) {
        Arbitrary<Mutation> mutation = Combinators.combine(
                Arbitraries.integers().between(0, 7),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(0, 10_000)).as(Mutation::new);
        return Combinators.combine(Arbitraries.of(seeds), mutation.list().ofMinSize(1).ofMaxSize(5))
                .as((seed, mutations) -> {
                    String text = seed;
                    for (Mutation m : mutations) {
                        text = apply(text, m);
                    }
                    return text;
                });
    }

    @Property(tries = 3000)
    void manifestLoaderOnlyReturnsAModelOrThrowsConfigException(@ForAll("mutatedManifests") String toml) {
        AppManifest m;
        try {
            m = ManifestLoader.parse(MANIFEST, toml);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(MANIFEST.toString()).doesNotContain("null");
            return;
        }
        for (HttpTrigger t : m.triggers()) {
            assertThat(t.componentId().isPresent()).isNotEqualTo(t.staticResponse().isPresent());
            t.componentId().ifPresent(id -> assertThat(m.components()).containsKey(id));
            assertThat(t.isPrivate() || t.route().startsWith("/")).isTrue();
        }
        m.components().values().forEach(c -> assertThat(Files.isRegularFile(c.source())).isTrue());
    }

    @Property(tries = 2000)
    void runtimeConfigLoaderOnlyReturnsAModelOrThrowsConfigException(@ForAll("mutatedRuntimeConfigs") String toml) {
        try {
            RuntimeConfig rc = RuntimeConfigLoader.parse(RUNTIME, toml, DIR.resolve(".spin"));
            assertThat(rc.hasStore("default")).isTrue();
            assertThat(rc.toString()).doesNotContain("user:pw");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(RUNTIME.toString()).doesNotContain("user:pw");
        }
    }

    private static String apply(String text, Mutation m) {
        int pos = (int) (m.where() * text.length());
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        int line = Math.min(lines.size() - 1, (int) (m.where() * lines.size()));
        switch (m.kind()) {
            case 0: // delete a character
                return text.isEmpty() ? text : text.substring(0, Math.min(pos, text.length() - 1)) + text.substring(Math.min(pos, text.length() - 1) + 1);
            case 1: // insert a syntax snippet
                return text.substring(0, pos) + SNIPPETS[m.pick() % SNIPPETS.length] + text.substring(pos);
            case 2: // delete a line
                lines.remove(line);
                return String.join("\n", lines);
            case 3: // duplicate a line
                lines.add(line, lines.get(line));
                return String.join("\n", lines);
            case 4: // replace a value
                return replaceValue(lines, line, VALUES[m.pick() % VALUES.length]);
            case 5: // rename a key
                return replaceKey(lines, line, KEYS[m.pick() % KEYS.length]);
            case 6: // add a key = value line
                lines.add(line, KEYS[m.pick() % KEYS.length] + " = " + VALUES[(m.pick() / 7) % VALUES.length]);
                return String.join("\n", lines);
            default: // swap two lines
                int other = m.pick() % lines.size();
                String tmp = lines.get(line);
                lines.set(line, lines.get(other));
                lines.set(other, tmp);
                return String.join("\n", lines);
        }
    }

    private static String replaceValue(List<String> lines, int line, String value) {
        String l = lines.get(line);
        int eq = l.indexOf('=');
        if (eq < 0) {
            return String.join("\n", lines);
        }
        lines.set(line, l.substring(0, eq + 1) + " " + value);
        return String.join("\n", lines);
    }

    private static String replaceKey(List<String> lines, int line, String key) {
        String l = lines.get(line);
        int eq = l.indexOf('=');
        if (eq < 0) {
            return String.join("\n", lines);
        }
        lines.set(line, key + " " + l.substring(eq));
        return String.join("\n", lines);
    }

    private static Path appDir() {
        try {
            Path dir = Files.createTempDirectory("edge-config-fuzz");
            new ManifestFixture(dir);
            return dir.toAbsolutePath().normalize();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
