package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.routes.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edge check}: what {@code up} would validate, the same one-line errors, exit 0/1, nothing served. */
class CheckCommandTest {
    private static final Path TUTORIAL = Path.of("../examples/hello-key-value-store/spin.toml").toAbsolutePath().normalize();

    @TempDir
    Path temp;

    private record Result(int exitCode, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EdgeMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(1));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aGoodAppIsOkAndLeavesTheStateDatabaseUnclaimed() throws Exception {
        Path stateDir = temp.resolve("state");
        Result result = run("check", "--from", TUTORIAL.toString(), "--state-dir", stateDir.toString());
        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("ok: app 'hello-key-value-store': 1 component(s) compiled, "
                + "1 key-value store(s) opened" + System.lineSeparator());
        // not claimed: another app can still start on this state dir
        Path other = TestApps.manifest(temp.resolve("other"), "other",
                TestApps.component("/...", "echo", TestApps.routesGuest("echo"), "default"));
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(other, new ListenAddress("127.0.0.1", FreePort.next()),
                stateDir, null, null, java.util.List.of()))) {
            assertThat(app.manifest().application().name()).isEqualTo("other");
        }
    }

    @Test
    void errorsAreTheLinesUpPrints() throws Exception {
        Path badManifest = Files.writeString(temp.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "bad"
                [[trigger.http]]
                route = "/x"
                component = "missing-component"
                """);
        Path brokenDir = Files.createDirectories(temp.resolve("broken"));
        Files.write(brokenDir.resolve("app.wasm"), new byte[] {0, 'a', 's', 'm', 9, 9, 9, 9});
        Path brokenWasm = TestApps.manifest(brokenDir, "broken",
                TestApps.component("/...", "broken", brokenDir.resolve("app.wasm")));
        Path badRuntimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "redis"
                url = "redis://127.0.0.1:%d"
                command_timeout = "500ms"
                """.formatted(FreePort.next()));
        for (String[] args : new String[][] {
                {"--from", badManifest.toString()},
                {"--from", brokenWasm.toString()},
                {"--from", TUTORIAL.toString(), "--runtime-config-file", badRuntimeConfig.toString()}}) {
            String stateDir = temp.resolve("s" + args.length).toString();
            Result check = run(concat(new String[] {"check", "--state-dir", stateDir}, args));
            Result up = run(concat(new String[] {"up", "--state-dir", stateDir, "--listen",
                    "127.0.0.1:" + FreePort.next()}, args));
            assertThat(check.exitCode()).isEqualTo(1);
            assertThat(check.out()).isEmpty();
            assertThat(check.err().strip()).isNotEmpty().doesNotContain("\n").doesNotContain("\tat ")
                    .isEqualTo(up.err().strip());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
