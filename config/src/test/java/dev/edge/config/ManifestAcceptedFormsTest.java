package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per manifest form edge accepts; each asserts the model the form produces. */
class ManifestAcceptedFormsTest {
    @TempDir Path dir;
    ManifestFixture fx;

    @BeforeEach
    void setUp() {
        fx = new ManifestFixture(dir);
    }

    @Test
    void minimalManifest() {
        AppManifest m = fx.load(ManifestFixture.MINIMAL);
        assertThat(m.file()).isEqualTo(fx.manifest.toAbsolutePath().normalize());
        assertThat(m.application()).isEqualTo(new Application("app", "", "", List.of()));
        assertThat(m.triggers()).containsExactly(
                new HttpTrigger("/...", false, Optional.of("hello"), Optional.empty(), Executor.http()));
        Component hello = m.components().get("hello");
        assertThat(hello.source()).isEqualTo(dir.resolve("app.wasm").toAbsolutePath().normalize());
        assertThat(hello.sourceDigest()).isEmpty();
        assertThat(hello.keyValueStores()).isEmpty();
        assertThat(m.variables()).isEmpty();
    }

    @Test
    void directoryMeansTheSpinTomlInside() {
        fx.write(ManifestFixture.MINIMAL);
        assertThat(ManifestLoader.load(dir).file()).isEqualTo(fx.manifest.toAbsolutePath().normalize());
    }

    @Test
    void applicationOptionalFields() {
        AppManifest m = fx.load(ManifestFixture.MINIMAL.replace("name = \"app\"", """
                name = "app"
                version = "1.2.3"
                description = "demo"
                authors = ["a <a@example.com>", "b"]
                [application.tool.lint]
                level = "strict"
                """));
        assertThat(m.application()).isEqualTo(new Application("app", "1.2.3", "demo", List.of("a <a@example.com>", "b")));
    }

    @Test
    void privateRoute() {
        AppManifest m = fx.load(ManifestFixture.MINIMAL.replace("route = \"/...\"", "route = { private = true }"));
        assertThat(m.triggers().get(0).isPrivate()).isTrue();
        assertThat(m.triggers().get(0).route()).isEmpty();
    }

    @Test
    void routeForms() {
        AppManifest m = fx.load(ManifestFixture.HEADER + """
                [[trigger.http]]
                route = "/cart"
                component = "hello"
                [[trigger.http]]
                route = "/get/:key"
                component = "hello"
                [[trigger.http]]
                route = "/static/..."
                component = "hello"
                [component.hello]
                source = "app.wasm"
                """);
        assertThat(m.triggers()).extracting(HttpTrigger::route).containsExactly("/cart", "/get/:key", "/static/...");
    }

    @Test
    void duplicateRoutesAreKeptAndListed() {
        AppManifest m = fx.load(ManifestFixture.HEADER + """
                [[trigger.http]]
                route = "/a"
                component = "one"
                [[trigger.http]]
                route = "/a/"
                component = "two"
                [[trigger.http]]
                route = "/b"
                component = "one"
                [component.one]
                source = "app.wasm"
                [component.two]
                source = "app.wasm"
                """);
        assertThat(m.triggers()).hasSize(3);
        assertThat(m.duplicateRoutes()).containsExactly("/a");
    }

    @Test
    void inlineComponentGetsAGeneratedId() {
        AppManifest m = fx.load(ManifestFixture.HEADER + """
                [[trigger.http]]
                route = "/one"
                component = { source = "app.wasm", key_value_stores = ["default"] }
                [[trigger.http]]
                route = "/two"
                component = { source = "app.wasm" }
                """);
        assertThat(m.triggers()).extracting(t -> t.componentId().orElseThrow())
                .containsExactly("inline-component1", "inline-component2");
        assertThat(m.components().get("inline-component1").keyValueStores()).containsExactly("default");
    }

    @Test
    void inlineComponentOfANamedTriggerIsNamedAfterIt() {
        AppManifest m = fx.load(ManifestFixture.HEADER + """
                [[trigger.http]]
                id = "api"
                route = "/api/..."
                component = { source = "app.wasm" }
                """);
        assertThat(m.triggers().get(0).componentId()).contains("api-component");
        assertThat(m.components()).containsKey("api-component");
    }

    @Test
    void staticResponse() {
        AppManifest m = fx.load(ManifestFixture.HEADER + """
                [[trigger.http]]
                route = "/teapot"
                static_response = { status_code = 418, headers = { content-type = "text/plain" }, body = "short and stout" }
                """);
        HttpTrigger t = m.triggers().get(0);
        assertThat(t.componentId()).isEmpty();
        assertThat(t.staticResponse()).contains(new StaticResponse(418, Map.of("content-type", "text/plain"), "short and stout"));
        assertThat(m.components()).isEmpty();
    }

    @Test
    void staticResponseDefaults() {
        AppManifest m = fx.load(ManifestFixture.HEADER + """
                [[trigger.http]]
                route = "/empty"
                static_response = {}
                """);
        assertThat(m.triggers().get(0).staticResponse()).contains(new StaticResponse(200, Map.of(), ""));
    }

    @Test
    void httpExecutorAndItsSpinAlias() {
        for (String type : List.of("http", "spin")) {
            AppManifest m = fx.load(ManifestFixture.MINIMAL.replace("component = \"hello\"",
                    "component = \"hello\"\nexecutor = { type = \"" + type + "\" }"));
            assertThat(m.triggers().get(0).executor()).isEqualTo(Executor.http());
        }
    }

    @Test
    void wagiExecutorWithDefaults() {
        AppManifest m = fx.load(ManifestFixture.MINIMAL.replace("component = \"hello\"",
                "component = \"hello\"\nexecutor = { type = \"wagi\" }"));
        assertThat(m.triggers().get(0).executor()).isEqualTo(Executor.wagi("${SCRIPT_NAME} ${ARGS}", "_start"));
    }

    @Test
    void wagiExecutorWithArgvAndEntrypoint() {
        AppManifest m = fx.load(ManifestFixture.MINIMAL.replace("component = \"hello\"",
                "component = \"hello\"\nexecutor = { type = \"wagi\", argv = \"x ${ARGS}\", entrypoint = \"main\" }"));
        assertThat(m.triggers().get(0).executor()).isEqualTo(Executor.wagi("x ${ARGS}", "main"));
    }

    @Test
    void componentFullForm() {
        AppManifest m = fx.load(ManifestFixture.HEADER + """
                [variables]
                api_host = { default = "api.example.com" }
                token = { required = true, secret = true }

                [[trigger.http]]
                route = "/..."
                component = "full"

                [component.full]
                source = "app.wasm"
                description = "everything"
                key_value_stores = ["default", "user-data", "user_data"]
                variables = { greeting = "hello", token = "Bearer {{ token }}" }
                environment = { RUST_LOG = "info" }
                files = ["static/*.html", { source = "static", destination = "/assets" }]
                exclude_files = ["**/*.bak"]
                allowed_outbound_hosts = ["https://example.com:443", "*://localhost:*", "https://{{ api_host }}", "redis://*.cache.internal"]
                [component.full.build]
                command = ["npm install", "npm run build"]
                workdir = "."
                watch = ["src/**/*.js"]
                [component.full.tool.x]
                y = 1
                """);
        Component c = m.components().get("full");
        assertThat(c.keyValueStores()).containsExactly("default", "user-data", "user_data");
        assertThat(c.variables()).containsEntry("greeting", "hello").containsEntry("token", "Bearer {{ token }}");
        assertThat(c.environment()).containsExactly(Map.entry("RUST_LOG", "info"));
        assertThat(c.files()).containsExactly(new FileMount("static/*.html", "/", true), new FileMount("static", "/assets", false));
        assertThat(c.files().get(1).resolve(m.baseDir())).isEqualTo(m.baseDir().resolve("static"));
        assertThat(c.excludeFiles()).containsExactly("**/*.bak");
        assertThat(c.allowedOutboundHosts()).hasSize(4).contains("https://{{ api_host }}");
        assertThat(m.variables()).containsEntry("api_host", new VariableDecl("api_host", Optional.of("api.example.com"), false, false))
                .containsEntry("token", new VariableDecl("token", Optional.empty(), true, true));
    }

    @Test
    void buildCommandAsString() {
        AppManifest m = fx.load(ManifestFixture.withComponentLines("[component.hello.build]\ncommand = \"make\""));
        assertThat(m.components()).containsKey("hello");
    }

    @Test
    void emptyUnsupportedSpinFieldsAreAccepted() {
        AppManifest m = fx.load(ManifestFixture.withComponentLines(
                "sqlite_databases = []\nai_models = []\nallowed_http_hosts = []\ndependencies_inherit_configuration = false"));
        assertThat(m.components()).containsKey("hello");
    }

    @Test
    void sourceInASubdirectory() throws Exception {
        Files.createDirectories(dir.resolve("target/wasm32-wasip1/release"));
        Files.write(dir.resolve("target/wasm32-wasip1/release/hello.wasm"), ManifestFixture.WASM);
        AppManifest m = fx.load(ManifestFixture.MINIMAL.replace("\"app.wasm\"", "\"target/wasm32-wasip1/release/hello.wasm\""));
        assertThat(m.components().get("hello").source()).isEqualTo(dir.resolve("target/wasm32-wasip1/release/hello.wasm"));
    }

    @Test
    void localSourcePinnedByDigest() throws Exception {
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ManifestFixture.WASM));
        AppManifest m = fx.load(ManifestFixture.MINIMAL.replace("source = \"app.wasm\"",
                "source = { path = \"app.wasm\", digest = \"" + digest + "\" }"));
        assertThat(m.components().get("hello").sourceDigest()).contains(digest);
    }

    @Test
    void spinIdsMayHaveUppercaseWords() {
        AppManifest m = fx.load(ManifestFixture.MINIMAL.replace("hello", "hello-WORLD-v2"));
        assertThat(m.components()).containsKey("hello-WORLD-v2");
    }

    @Test
    void tutorialManifest() throws Exception {
        Files.createDirectories(dir.resolve("dist"));
        Files.write(dir.resolve("dist/hello-key-value-store.wasm"), ManifestFixture.WASM);
        AppManifest m = fx.load("""
                spin_manifest_version = 2

                [application]
                authors = ["Fermyon Engineering <engineering@fermyon.com>"]
                description = ""
                name = "hello-key-value-store"
                version = "0.1.0"

                [[trigger.http]]
                route = "/..."
                component = "hello-key-value-store"

                [component.hello-key-value-store]
                source = "dist/hello-key-value-store.wasm"
                exclude_files = ["**/node_modules"]
                allowed_outbound_hosts = []
                key_value_stores = [ "default" ]
                [component.hello-key-value-store.build]
                command = ["npm install", "npm run build"]
                watch = ["src/**/*.js"]
                """);
        assertThat(m.application().name()).isEqualTo("hello-key-value-store");
        assertThat(m.triggers()).singleElement().satisfies(t -> {
            assertThat(t.route()).isEqualTo("/...");
            assertThat(t.componentId()).contains("hello-key-value-store");
        });
        assertThat(m.components().get("hello-key-value-store").keyValueStores()).containsExactly("default");
        AppValidator.validate(m, RuntimeConfigLoader.load(null, dir.resolve(".spin")));
    }

    @Test
    void rustTemplateManifest() throws Exception {
        Files.createDirectories(dir.resolve("target/wasm32-wasip1/release"));
        Files.write(dir.resolve("target/wasm32-wasip1/release/hello_rust.wasm"), ManifestFixture.WASM);
        AppManifest m = fx.load("""
                spin_manifest_version = 2

                [application]
                name = "hello-rust"
                version = "0.1.0"
                authors = ["Jane <jane@example.com>"]
                description = ""

                [[trigger.http]]
                route = "/hello"
                component = "hello-rust"

                [component.hello-rust]
                source = "target/wasm32-wasip1/release/hello_rust.wasm"
                allowed_outbound_hosts = []
                [component.hello-rust.build]
                command = "cargo build --target wasm32-wasip1 --release"
                watch = ["src/**/*.rs", "Cargo.toml"]
                """);
        assertThat(m.triggers().get(0).route()).isEqualTo("/hello");
    }

    @Test
    void multiComponentAppWithVariablesAndStaticFallback() {
        AppManifest m = fx.load("""
                spin_manifest_version = 2
                [application]
                name = "shop"
                [variables]
                currency = { default = "EUR" }
                [[trigger.http]]
                route = "/cart/..."
                component = "cart"
                [[trigger.http]]
                route = "/cgi/:name"
                component = "legacy"
                executor = { type = "wagi" }
                [[trigger.http]]
                route = "/robots.txt"
                static_response = { status_code = 200, body = "User-agent: *\\nDisallow: /" }
                [component.cart]
                source = "app.wasm"
                key_value_stores = ["default"]
                variables = { currency = "{{ currency }}" }
                [component.legacy]
                source = "app.wasm"
                """);
        assertThat(m.triggers()).hasSize(3);
        assertThat(m.triggers().get(2).staticResponse().orElseThrow().body()).isEqualTo("User-agent: *\nDisallow: /");
    }
}
