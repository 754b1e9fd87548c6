package dev.edge.config;

import static dev.edge.config.ManifestFixture.HEADER;
import static dev.edge.config.ManifestFixture.MINIMAL;
import static dev.edge.config.ManifestFixture.withComponentLines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance table of rejected manifests: each row is a manifest and the exact error it must give
 * ({@code <file>: <field>: <reason>}). {@code {dir}} in a reason stands for the application directory.
 */
class ManifestRejectedFormsTest {
    @TempDir Path dir;

    static Stream<Arguments> rejected() {
        String trigger = "\n[[trigger.http]]\nroute = \"/\"\ncomponent = \"hello\"\n[component.hello]\nsource = \"app.wasm\"\n";
        return Stream.of(
                row("empty file", "",
                        "spin_manifest_version", "missing required field"),
                row("manifest version 1 (integer)", MINIMAL.replace("spin_manifest_version = 2", "spin_manifest_version = 1"),
                        "spin_manifest_version", "unsupported manifest version 1; edge supports only version 2"),
                row("manifest version 1 (string)", MINIMAL.replace("spin_manifest_version = 2", "spin_manifest_version = \"1\""),
                        "spin_manifest_version", "this is a version 1 manifest; edge supports only spin_manifest_version = 2 (convert it with `spin doctor` or by hand)"),
                row("legacy spin_version", "spin_version = \"1\"\nname = \"x\"\n",
                        "spin_version", "this is a version 1 manifest; edge supports only spin_manifest_version = 2 (convert it with `spin doctor` or by hand)"),
                row("version as a string", MINIMAL.replace("spin_manifest_version = 2", "spin_manifest_version = \"2\""),
                        "spin_manifest_version", "expected an integer, found a string"),
                row("unknown top-level field", "extra = true\n" + MINIMAL,
                        "extra", "unknown field 'extra'"),
                row("missing [application]", "spin_manifest_version = 2\n" + trigger,
                        "application", "missing required field"),
                row("missing application name", "spin_manifest_version = 2\n[application]\nversion = \"1\"\n" + trigger,
                        "application.name", "missing required field"),
                row("application name not a string", "spin_manifest_version = 2\n[application]\nname = 7\n" + trigger,
                        "application.name", "expected a string, found an integer"),
                row("misspelled application field", MINIMAL.replace("name = \"app\"", "name = \"app\"\nverison = \"1\""),
                        "application.verison", "unknown field 'verison' (did you mean 'version'?)"),
                row("application.trigger is not supported", MINIMAL.replace("name = \"app\"", "name = \"app\"\n[application.trigger.http]\nbase = \"/\""),
                        "application.trigger", "unknown field 'trigger'"),
                row("missing trigger", HEADER + "[component.hello]\nsource = \"app.wasm\"\n",
                        "trigger", "missing required field"),
                row("non-http trigger", MINIMAL + "\n[[trigger.redis]]\nchannel = \"c\"\ncomponent = \"hello\"\n",
                        "trigger.redis", "trigger type 'redis' is not supported by edge (only http)"),
                row("trigger.http is a table", HEADER + "[trigger.http]\nroute = \"/\"\ncomponent = \"hello\"\n[component.hello]\nsource = \"app.wasm\"\n",
                        "trigger.http", "expected an array, found a table"),
                row("missing route", MINIMAL.replace("route = \"/...\"\n", ""),
                        "trigger.http[0].route", "missing required field"),
                row("route without leading slash", MINIMAL.replace("\"/...\"", "\"cart\""),
                        "trigger.http[0].route", "route 'cart' must start with '/'"),
                row("route private = false", MINIMAL.replace("\"/...\"", "{ private = false }"),
                        "trigger.http[0].route", "expected a route string or { private = true }"),
                row("route table with another field", MINIMAL.replace("\"/...\"", "{ private = true, path = \"/x\" }"),
                        "trigger.http[0].route.path", "unknown field 'path'"),
                row("route is a number", MINIMAL.replace("\"/...\"", "42"),
                        "trigger.http[0].route", "expected a route string or { private = true }, found an integer"),
                row("unknown trigger field", MINIMAL.replace("component = \"hello\"", "component = \"hello\"\nmethod = \"GET\""),
                        "trigger.http[0].method", "unknown field 'method'"),
                row("middleware components", MINIMAL.replace("component = \"hello\"", "component = \"hello\"\ncomponents = { middleware = [\"hello\"] }"),
                        "trigger.http[0].components", "'components' (middleware) is not supported by edge"),
                row("neither component nor static_response", MINIMAL.replace("component = \"hello\"\n", ""),
                        "trigger.http[0]", "missing 'component' or 'static_response'; give exactly one"),
                row("both component and static_response", MINIMAL.replace("component = \"hello\"", "component = \"hello\"\nstatic_response = { body = \"x\" }"),
                        "trigger.http[0]", "the trigger has both 'component' and 'static_response'; give exactly one"),
                row("component that does not exist", MINIMAL.replace("component = \"hello\"", "component = \"nope\""),
                        "trigger.http[0].component", "no component with id 'nope' (expected a [component.nope] table)"),
                row("component reference not kebab-case", MINIMAL.replace("component = \"hello\"", "component = \"hello_world\""),
                        "trigger.http[0].component", "component id 'hello_world' is not kebab-case: '-'-separated words may only contain ASCII letters and digits"),
                row("component reference is a number", MINIMAL.replace("component = \"hello\"", "component = 3"),
                        "trigger.http[0].component", "expected a table, found an integer"),
                row("inline component without source", MINIMAL.replace("component = \"hello\"", "component = { key_value_stores = [] }"),
                        "trigger.http[0].component.source", "missing required field"),
                row("static_response with executor", HEADER + "[[trigger.http]]\nroute = \"/\"\nstatic_response = {}\nexecutor = { type = \"http\" }\n",
                        "trigger.http[0].executor", "a static_response trigger has no executor"),
                row("static_response status out of range", HEADER + "[[trigger.http]]\nroute = \"/\"\nstatic_response = { status_code = 1000 }\n",
                        "trigger.http[0].static_response.status_code", "status code 1000 is out of range 200..599"),
                row("static_response interim status", HEADER + "[[trigger.http]]\nroute = \"/\"\nstatic_response = { status_code = 100 }\n",
                        "trigger.http[0].static_response.status_code", "status code 100 is out of range 200..599"),
                row("static_response unknown field", HEADER + "[[trigger.http]]\nroute = \"/\"\nstatic_response = { status = 200 }\n",
                        "trigger.http[0].static_response.status", "unknown field 'status' (did you mean 'status_code'?)"),
                row("static_response header value not a string", HEADER + "[[trigger.http]]\nroute = \"/\"\nstatic_response = { headers = { x-n = 1 } }\n",
                        "trigger.http[0].static_response.headers.x-n", "expected a string, found an integer"),
                row("static_response invalid header name", HEADER + "[[trigger.http]]\nroute = \"/\"\nstatic_response = { headers = { \"bad name\" = \"v\" } }\n",
                        "trigger.http[0].static_response.headers", "invalid header name 'bad name'"),
                row("executor without type", MINIMAL.replace("component = \"hello\"", "component = \"hello\"\nexecutor = { argv = \"x\" }"),
                        "trigger.http[0].executor.type", "missing required field"),
                row("unknown executor type", MINIMAL.replace("component = \"hello\"", "component = \"hello\"\nexecutor = { type = \"cgi\" }"),
                        "trigger.http[0].executor.type", "unknown executor type 'cgi' (expected http, spin or wagi)"),
                row("http executor with wagi fields", MINIMAL.replace("component = \"hello\"", "component = \"hello\"\nexecutor = { type = \"http\", argv = \"x\" }"),
                        "trigger.http[0].executor.argv", "unknown field 'argv'"),
                row("wagi executor unknown field", MINIMAL.replace("component = \"hello\"", "component = \"hello\"\nexecutor = { type = \"wagi\", args = \"x\" }"),
                        "trigger.http[0].executor.args", "unknown field 'args' (did you mean 'argv'?)"),
                row("component id with underscore", MINIMAL.replace("[component.hello]", "[component.hello_world]").replace("\"hello\"", "\"hello-world\""),
                        "component.hello_world", "component id 'hello_world' is not kebab-case: '-'-separated words may only contain ASCII letters and digits"),
                row("component id starting with a digit", MINIMAL.replace("[component.hello]", "[component.1st]"),
                        "component.1st", "component id '1st' is not kebab-case: '-'-separated words must start with an ASCII letter"),
                row("component id with double hyphen", MINIMAL.replace("[component.hello]", "[component.a--b]"),
                        "component.a--b", "component id 'a--b' is not kebab-case: '-'-separated words must not be empty"),
                row("component id mixing cases", MINIMAL.replace("[component.hello]", "[component.helloWorld]"),
                        "component.helloWorld", "component id 'helloWorld' is not kebab-case: '-'-separated words must be all lowercase or all UPPERCASE"),
                row("component without source", HEADER + "[[trigger.http]]\nroute = \"/\"\ncomponent = \"hello\"\n[component.hello]\ndescription = \"x\"\n",
                        "component.hello.source", "missing required field"),
                row("misspelled component field", withComponentLines("key_value_store = [\"default\"]"),
                        "component.hello.key_value_store", "unknown field 'key_value_store' (did you mean 'key_value_stores'?)"),
                row("source file missing", MINIMAL.replace("\"app.wasm\"", "\"missing.wasm\""),
                        "component.hello.source", "file not found: {dir}/missing.wasm"),
                row("source is a directory", MINIMAL.replace("\"app.wasm\"", "\"static\""),
                        "component.hello.source", "file not found: {dir}/static"),
                row("url source", MINIMAL.replace("source = \"app.wasm\"", "source = { url = \"https://example.com/a.wasm\", digest = \"sha256:00\" }"),
                        "component.hello.source", "url sources are not supported offline; download the file and set source to its path (optionally as { path = \"...\", digest = \"sha256:...\" })"),
                row("url source without digest", MINIMAL.replace("source = \"app.wasm\"", "source = { url = \"https://example.com/a.wasm\" }"),
                        "component.hello.source.digest", "missing required field"),
                row("registry source", MINIMAL.replace("source = \"app.wasm\"", "source = { package = \"a:b\", version = \"1.0.0\" }"),
                        "component.hello.source", "registry sources are not supported offline; set source to a local .wasm path"),
                row("digest with a bad format", MINIMAL.replace("source = \"app.wasm\"", "source = { path = \"app.wasm\", digest = \"md5:abc\" }"),
                        "component.hello.source.digest", "expected 'sha256:' followed by 64 lowercase hex digits"),
                row("digest mismatch", MINIMAL.replace("source = \"app.wasm\"", "source = { path = \"app.wasm\", digest = \"sha256:" + "0".repeat(64) + "\" }"),
                        "component.hello.source.digest", "digest mismatch for {dir}/app.wasm: expected sha256:" + "0".repeat(64)
                                + ", file has sha256:93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476"),
                row("key_value_stores is a string", withComponentLines("key_value_stores = \"default\""),
                        "component.hello.key_value_stores", "expected an array, found a string"),
                row("key_value_stores label with a space", withComponentLines("key_value_stores = [\"default\", \"My Store\"]"),
                        "component.hello.key_value_stores", "label 'My Store' must be kebab-case or snake_case (key_value_stores[1])"),
                row("key_value_stores label not a string", withComponentLines("key_value_stores = [1]"),
                        "component.hello.key_value_stores[0]", "expected a string, found an integer"),
                row("component variable referencing an undeclared variable", withComponentLines("variables = { greeting = \"{{ who }}\" }"),
                        "component.hello.variables.greeting", "references undefined application variable 'who'"),
                row("component variable with an unterminated template", withComponentLines("variables = { greeting = \"hi {{ who\" }"),
                        "component.hello.variables.greeting", "unterminated '{{' in template"),
                row("component variable name not lower_snake_case", withComponentLines("variables = { Greeting = \"hi\" }"),
                        "component.hello.variables.Greeting", "variable name 'Greeting' is not lower_snake_case: must be lowercase"),
                row("environment value not a string", withComponentLines("environment = { PORT = 80 }"),
                        "component.hello.environment.PORT", "expected a string, found an integer"),
                row("files placement with a relative destination", withComponentLines("files = [{ source = \"static\", destination = \"assets\" }]"),
                        "component.hello.files[0].destination", "must be an absolute path (start with '/')"),
                row("files placement whose source is missing", withComponentLines("files = [{ source = \"nope\", destination = \"/\" }]"),
                        "component.hello.files[0].source", "not found: {dir}/nope"),
                row("files placement unknown field", withComponentLines("files = [{ source = \"static\", destination = \"/\", mode = \"ro\" }]"),
                        "component.hello.files[0].mode", "unknown field 'mode'"),
                row("files entry that is a number", withComponentLines("files = [3]"),
                        "component.hello.files[0]", "expected a glob string or { source, destination }, found an integer"),
                row("outbound host without scheme", withComponentLines("allowed_outbound_hosts = [\"example.com:443\"]"),
                        "component.hello.allowed_outbound_hosts[0]", "'example.com:443' does not contain a scheme (e.g. 'https://' or '*://')"),
                row("outbound host with a path", withComponentLines("allowed_outbound_hosts = [\"https://example.com/api\"]"),
                        "component.hello.allowed_outbound_hosts[0]", "'https://example.com/api' has a path, which is not allowed"),
                row("outbound host with inner wildcard", withComponentLines("allowed_outbound_hosts = [\"https://api.*.com\"]"),
                        "component.hello.allowed_outbound_hosts[0]", "'https://api.*.com': wildcards are allowed only as '*' or a '*.' prefix of the host"),
                row("outbound host with a bad port", withComponentLines("allowed_outbound_hosts = [\"https://example.com:99999\"]"),
                        "component.hello.allowed_outbound_hosts[0]", "'https://example.com:99999' has an invalid port '99999'"),
                row("outbound host with no default port", withComponentLines("allowed_outbound_hosts = [\"ftp://example.com\"]"),
                        "component.hello.allowed_outbound_hosts[0]", "'ftp://example.com' has no port and scheme 'ftp' has no well-known port; add ':<port>' or ':*'"),
                row("outbound insecure:allow-all", withComponentLines("allowed_outbound_hosts = [\"insecure:allow-all\"]"),
                        "component.hello.allowed_outbound_hosts[0]", "'insecure:allow-all' is not allowed; use '*://*:*' to allow all outbound traffic"),
                row("outbound template naming an undeclared variable", withComponentLines("allowed_outbound_hosts = [\"https://{{ host }}\"]"),
                        "component.hello.allowed_outbound_hosts[0]", "references undefined application variable 'host'"),
                row("deprecated allowed_http_hosts", withComponentLines("allowed_http_hosts = [\"example.com\"]"),
                        "component.hello.allowed_http_hosts", "'allowed_http_hosts' is deprecated and not supported; use allowed_outbound_hosts"),
                row("sqlite_databases", withComponentLines("sqlite_databases = [\"default\"]"),
                        "component.hello.sqlite_databases", "'sqlite_databases' is not supported by edge"),
                row("build without command", withComponentLines("[component.hello.build]\nwatch = [\"src/**\"]"),
                        "component.hello.build.command", "missing required field"),
                row("build unknown field", withComponentLines("[component.hello.build]\ncommand = \"make\"\nenv = \"x\""),
                        "component.hello.build.env", "unknown field 'env'"),
                row("build command list with a number", withComponentLines("[component.hello.build]\ncommand = [\"make\", 2]"),
                        "component.hello.build.command[1]", "expected a string, found an integer"),
                row("variable name upper-case", MINIMAL + "[variables]\nAPI_KEY = { default = \"x\" }\n",
                        "variables.API_KEY", "variable name 'API_KEY' is not lower_snake_case: must be lowercase"),
                row("variable name with a hyphen", MINIMAL + "[variables]\napi-key = { default = \"x\" }\n",
                        "variables.api-key", "variable name 'api-key' is not lower_snake_case: '_'-separated words may only contain ASCII letters and digits"),
                row("variable with neither default nor required", MINIMAL + "[variables]\ntoken = { secret = true }\n",
                        "variables.token", "a variable must have a default or be required = true"),
                row("variable both required and defaulted", MINIMAL + "[variables]\ntoken = { required = true, default = \"x\" }\n",
                        "variables.token", "a variable cannot be both required and have a default"),
                row("variable unknown field", MINIMAL + "[variables]\ntoken = { default = \"x\", secrets = true }\n",
                        "variables.token.secrets", "unknown field 'secrets' (did you mean 'secret'?)"),
                row("variable given as a plain string", MINIMAL + "[variables]\ntoken = \"x\"\n",
                        "variables.token", "expected a table, found a string"),
                row("variable required not a boolean", MINIMAL + "[variables]\ntoken = { required = \"yes\" }\n",
                        "variables.token.required", "expected a boolean, found a string"),
                row("TOML syntax error", "spin_manifest_version = 2\n[application\nname = \"x\"\n",
                        "", "invalid TOML at line 2, column 13: Unexpected end of line, expected ]"),
                row("TOML duplicate key", MINIMAL + "[component.hello]\nsource = \"app.wasm\"\n",
                        "", "invalid TOML at line 12, column 1: component.hello previously defined at line 10, column 1"));
    }

    private static Arguments row(String name, String toml, String field, String reason) {
        return Arguments.of(Named.of(name, toml), field, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void isRejectedWithExactMessage(String toml, String field, String reason) {
        ManifestFixture fx = new ManifestFixture(dir);
        fx.write(toml);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ManifestLoader.load(fx.manifest));
        assertThat(e).as("manifest must be rejected:%n%s", toml).isNotNull();
        String expectedReason = reason.replace("{dir}", dir.toAbsolutePath().normalize().toString());
        Path file = fx.manifest.toAbsolutePath().normalize();
        assertThat(e.getMessage()).isEqualTo(file + ": " + (field.isEmpty() ? "" : field + ": ") + expectedReason);
        assertThat(e.file()).isEqualTo(file);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.reason()).isEqualTo(expectedReason);
    }
}
