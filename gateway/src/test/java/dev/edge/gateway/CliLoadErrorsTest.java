package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Broken .wasm files and runtime configs fail {@code edge up} at load: exit code 1, one line on stderr naming
 * the file and the reason, no stack trace, nothing on stdout (no banner: nothing is served).
 */
class CliLoadErrorsTest {
    @TempDir
    Path temp;

    private record Result(int exitCode, String out, String err) {}

    private Result up(Path manifest, String... extra) {
        String[] args = {"up", "--from", manifest.toString(), "--listen", "127.0.0.1:" + FreePort.next(),
                "--state-dir", temp.resolve("state").toString()};
        String[] all = Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EdgeMain.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(1));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path appWith(byte[] wasm) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("app"));
        Files.write(dir.resolve("app.wasm"), wasm);
        return TestApps.manifest(dir, "broken", TestApps.component("/...", "broken", dir.resolve("app.wasm")));
    }

    private static void assertOneCleanLine(Result result, String... fragments) {
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().strip()).doesNotContain("\n").doesNotContain("\tat ").doesNotContain("Exception")
                .contains(fragments);
    }

    @Test
    void corruptWasm() throws Exception {
        byte[] wasm = Files.readAllBytes(TestApps.TUTORIAL);
        for (int i = 64; i < wasm.length; i += 97) {
            wasm[i] = (byte) 0xff; // a wasm header followed by garbage sections
        }
        assertOneCleanLine(up(appWith(wasm)), "Error: component 'broken': cannot load", "app.wasm");
    }

    @Test
    void truncatedWasm() throws Exception {
        byte[] wasm = Files.readAllBytes(TestApps.TUTORIAL);
        for (int length : new int[] {4, 8, 9, 100, wasm.length / 2, wasm.length - 1}) {
            assertOneCleanLine(up(appWith(Arrays.copyOf(wasm, length))), "component 'broken': cannot load", "app.wasm");
        }
    }

    @Test
    void emptyFileIsNotWasm() throws Exception {
        assertOneCleanLine(up(appWith(new byte[0])), "not a WebAssembly module");
    }

    @Test
    void wrongExportsAndImports() throws Exception {
        // a valid module that is not an edge HTTP component: no edge_http_handle
        assertOneCleanLine(up(appWith(Files.readAllBytes(TestApps.wasmExecGuest("no_handler")))),
                "does not export function 'edge_http_handle'");
        // a WASI command (a WAGI program) run as an HTTP component
        assertOneCleanLine(up(appWith(Files.readAllBytes(TestApps.wasmExecGuest("wagi/cgi")))),
                "component 'broken'", "does not export");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "[key_value_store.default]\\ntype = \"cosmos\"          | key_value_store.default.type",
            "[key_value_limits]\\nwrite_rps = -1                    | key_value_limits.write_rps",
            "[guest_limits]\\nmax_memory = \"lots\"                 | guest_limits.max_memory",
            "[guest_limits]\\nrequest_timeout = \"0s\"              | guest_limits.request_timeout",
            "[guest_limits\\nmax_memory = 1                         | invalid TOML",
            "[http]\\nport = 1                                      | unknown field 'http'",
            "[key_value_store.default]\\ntype = \"redis\"\\nurl = \"redis://:pw-9@host:99999\" | key_value_store.default.url",
    })
    void malformedRuntimeConfig(String toml, String expected) throws Exception {
        Path config = Files.writeString(temp.resolve("runtime-config.toml"), toml.replace("\\n", "\n"));
        Path manifest = TestApps.manifest(temp.resolve("app"), "ok", """
                [[trigger.http]]
                route = "/"
                static_response = { status_code = 200 }
                """);
        Result result = up(manifest, "--runtime-config-file", config.toString());
        assertOneCleanLine(result, config.toAbsolutePath().normalize().toString(), expected);
        assertThat(result.err()).doesNotContain("pw-9");
    }

    @Test
    void runtimeConfigThatIsNotUtf8OrMissing() throws Exception {
        Path manifest = TestApps.manifest(temp.resolve("app"), "ok", """
                [[trigger.http]]
                route = "/"
                static_response = { status_code = 200 }
                """);
        Path binary = Files.write(temp.resolve("binary.toml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertOneCleanLine(up(manifest, "--runtime-config-file", binary.toString()), "binary.toml", "not valid UTF-8");
        assertOneCleanLine(up(manifest, "--runtime-config-file", temp.resolve("absent.toml").toString()),
                "absent.toml", "not found");
    }
}
