package dev.edge.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.edge.config.Executor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real WASI command modules through the WAGI executor. */
class WagiHandlerTest {
    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();

    @AfterEach
    void tearDown() {
        watchdog.close();
    }

    private WagiHandler handler(String guest, Executor executor) throws WasmLoadException {
        GuestLimits limits = Guests.limits(Duration.ofSeconds(10));
        CompiledModule module = CompiledModule.loadWagi(guest, Guests.guest(guest), Optional.empty(),
                limits.maxMemoryBytes(), "_start");
        return new WagiHandler(module, executor, Map.of("FROM_MANIFEST", "yes", "SERVER_NAME", "overridden"), limits,
                ExecutorOptions.defaults(), watchdog);
    }

    private static GuestRequest request(String uri, String body) {
        return new GuestRequest("POST", uri, List.of(Map.entry("host", "h.example:8080"),
                Map.entry("spin-component-route", "/cgi"), Map.entry("spin-path-info", "/x")),
                body.getBytes(StandardCharsets.UTF_8), "127.0.0.1:9999", "HTTP/1.1");
    }

    @Test
    void programSeesArgvEnvironmentAndStdin() throws Exception {
        try (WagiHandler handler = handler("wagi_env", Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"))) {
            GuestResponse response = handler.handle(request("/cgi/x?a=1&b=2", "the body"));

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers()).containsExactly(Map.entry("content-type", "text/plain"));
            List<String> lines = List.of(new String(response.body(), StandardCharsets.UTF_8).split("\n"));
            assertThat(lines).startsWith("argc=3", "argv[0]=/cgi/x", "argv[1]=a=1", "argv[2]=b=2");
            assertThat(lines).contains("env:REQUEST_METHOD=POST", "env:QUERY_STRING=a=1&b=2", "env:CONTENT_LENGTH=8",
                    "env:SCRIPT_NAME=/cgi", "env:PATH_INFO=/x", "env:HTTP_HOST=h.example:8080",
                    "env:FROM_MANIFEST=yes", "env:SERVER_NAME=h.example");
            assertThat(lines).doesNotContain("env:SERVER_NAME=overridden");
            assertThat(lines.get(lines.size() - 1)).isEqualTo("stdin=the body");
        }
    }

    @Test
    void customArgvTemplate() throws Exception {
        try (WagiHandler handler = handler("wagi_env", Executor.wagi("prog ${ARGS}", "_start"))) {
            String body = new String(handler.handle(request("/cgi?v", "")).body(), StandardCharsets.UTF_8);
            assertThat(body).startsWith("argc=2\nargv[0]=prog\nargv[1]=v\n");
        }
    }

    @Test
    void cgiOutputRulesApplyToRealOutput() throws Exception {
        try (WagiHandler handler = handler("wagi_raw", Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"))) {
            GuestResponse notFound = handler.handle(request("/cgi", "Status: 404 Not Found\r\n\r\nnope"));
            assertThat(notFound.status()).isEqualTo(404);
            assertThat(new String(notFound.body(), StandardCharsets.UTF_8)).isEqualTo("nope");

            GuestResponse redirect = handler.handle(request("/cgi", "Location: /there\n\n"));
            assertThat(redirect.status()).isEqualTo(302);

            GuestResponse badStatus = handler.handle(request("/cgi", "Status: twohundred\n\n"));
            assertThat(badStatus.status()).isEqualTo(502);

            GuestResponse insufficient = handler.handle(request("/cgi", "X-A: b\n\nbody"));
            assertThat(insufficient.status()).isEqualTo(500);
            assertThat(new String(insufficient.body(), StandardCharsets.UTF_8)).isEqualTo(CgiResponse.INSUFFICIENT);
        }
    }

    @Test
    void emptyStdoutIs500() throws Exception {
        try (WagiHandler handler = handler("wagi_raw", Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"))) {
            GuestException e = catchThrowableOfType(GuestException.class, () -> handler.handle(request("/cgi", "")));
            assertThat(e.status()).isEqualTo(500);
            assertThat(e.getMessage()).contains("wrote nothing to stdout");
        }
    }

    @Test
    void nonZeroExitIs500EvenWithOutput() throws Exception {
        try (WagiHandler handler = handler("wagi_raw", Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"))) {
            GuestException e = catchThrowableOfType(GuestException.class,
                    () -> handler.handle(request("/cgi?exit=3", "Content-Type: text/plain\n\nok")));
            assertThat(e.status()).isEqualTo(500);
            assertThat(e.getMessage()).contains("exited with code 3");

            GuestResponse ok = handler.handle(request("/cgi?exit=0", "Content-Type: text/plain\n\nok"));
            assertThat(ok.status()).isEqualTo(200);
        }
    }

    @Test
    void anHttpGuestIsNotAWagiProgram() {
        assertThat(catchThrowableOfType(WasmLoadException.class, () -> handler("hello",
                Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"))).getMessage())
                .contains("does not export function '_start' (the WAGI entrypoint)");
    }
}
