package dev.edge.wasm.wagi;

import static dev.edge.wasm.wagi.WagiGuests.Req;
import static dev.edge.wasm.wagi.WagiGuests.header;
import static dev.edge.wasm.wagi.WagiGuests.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.config.Component;
import dev.edge.config.Executor;
import dev.edge.config.FileMount;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.WasmLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WagiLoadAndExamplesTest {
    private static final Path EXAMPLES = Path.of("../examples").toAbsolutePath().normalize();
    private static final Executor WAGI = Executor.wagi(Executor.DEFAULT_WAGI_ARGV, Executor.DEFAULT_WAGI_ENTRYPOINT);

    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();

    @TempDir
    Path stateDir;

    @AfterEach
    void tearDown() {
        watchdog.close();
    }

    private WagiHandler load(Component component, Executor executor, Path baseDir) throws WasmLoadException {
        return WagiHandler.load(component, executor, baseDir, stateDir, WagiGuests.limits(), (c, s, l) -> { },
                watchdog);
    }

    @Test
    void missingEntrypointFailsTheLoadWithAClearMessage() {
        Component cgi = WagiGuests.component("cgi", WagiGuests.CGI, Map.of(), List.of(), List.of());
        assertThatThrownBy(() -> load(cgi, Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "serve"), WagiGuests.CGI.getParent()))
                .isInstanceOf(WasmLoadException.class)
                .hasMessageContaining("component 'cgi'")
                .hasMessageContaining("'serve'");
    }

    @Test
    void anEntrypointWithParametersFailsTheLoad() {
        Path wasm = Path.of("src/test/resources/guests/wagi_start_with_params.wasm").toAbsolutePath();
        Component component = WagiGuests.component("params", wasm, Map.of(), List.of(), List.of());
        assertThatThrownBy(() -> load(component, WAGI, wasm.getParent()))
                .isInstanceOf(WasmLoadException.class)
                .hasMessageContaining("the WAGI entrypoint '_start' takes parameters");
    }

    @Test
    void anEdgeAbiModuleIsNotAWagiProgram() {
        Path hello = Path.of("src/test/resources/guests/hello.wasm").toAbsolutePath();
        Component component = WagiGuests.component("hello", hello, Map.of(), List.of(), List.of());
        assertThatThrownBy(() -> load(component, WAGI, hello.getParent()))
                .isInstanceOf(WasmLoadException.class)
                .hasMessageContaining("component 'hello'");
    }

    @Test
    void aMissingFilesSourceFailsTheLoadAndLeavesNoCopyBehind() throws Exception {
        Path app = Files.createDirectories(stateDir.resolve("app"));
        Component component = WagiGuests.component("cgi", WagiGuests.CGI, Map.of(),
                List.of(new FileMount("nowhere", "/data", false)), List.of());
        assertThatThrownBy(() -> load(component, WAGI, app))
                .isInstanceOf(WasmLoadException.class)
                .hasMessageContaining("files[0] ('nowhere')")
                .hasMessageContaining("not a file or directory");
        try (var copies = Files.list(stateDir.resolve("files"))) {
            assertThat(copies).isEmpty();
        }
    }

    @Test
    void aDestinationCannotLeaveTheGuestRoot() throws Exception {
        Path app = Files.createDirectories(stateDir.resolve("app"));
        Files.writeString(app.resolve("f.txt"), "x");
        Component component = WagiGuests.component("cgi", WagiGuests.CGI, Map.of(),
                List.of(new FileMount("f.txt", "/../../outside.txt", false)), List.of());
        assertThatThrownBy(() -> load(component, WAGI, app))
                .isInstanceOf(WasmLoadException.class)
                .hasMessageContaining("leaves the guest's root");
    }

    @Test
    void wagiHelloExample() throws Exception {
        Path dir = EXAMPLES.resolve("wagi-hello");
        assertThat(Files.readString(dir.resolve("spin.toml"))).contains("executor = { type = \"wagi\" }");
        Component component = WagiGuests.component("wagi-hello", dir.resolve("target/wagi-hello.wasm"),
                Map.of("GREETING", "Hello from WAGI"), List.of(), List.of());
        try (WagiHandler handler = load(component, WAGI, dir)) {
            GuestResponse response = handler.handle(Req.get("/hello/some/path?name=edge&lang=c").method("POST")
                    .header("user-agent", "curl/8").body("posted body").routed("/hello/...", Map.of()).build());
            assertThat(response.status()).isEqualTo(200);
            assertThat(header(response, "content-type")).isEqualTo("text/plain; charset=utf-8");
            assertThat(header(response, "x-wagi-example")).isEqualTo("wagi-hello");
            assertThat(text(response)).isEqualTo("""
                    Hello from WAGI!

                    REQUEST_METHOD=POST
                    SCRIPT_NAME=/hello
                    PATH_INFO=/some/path
                    QUERY_STRING=name=edge&lang=c
                    X_FULL_URL=http://edge.test:3000/hello/some/path?name=edge&lang=c
                    HTTP_USER_AGENT=curl/8
                    argv[0]=/hello/some/path
                    argv[1]=name=edge
                    argv[2]=lang=c
                    body (11 bytes): posted body
                    """);
            GuestResponse missing = handler.handle(Req.get("/hello/x?status=404").routed("/hello/...", Map.of())
                    .build());
            assertThat(missing.status()).isEqualTo(404);
        }
    }
}
