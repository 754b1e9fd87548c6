package dev.edge.wasm;

import static dev.edge.wasm.Guests.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HelloGuestTest {
    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final ExecutorOptions options = ExecutorOptions.defaults()
            .withOutput((component, stream, line) -> output.add(component + "/" + stream + ": " + line));

    @AfterEach
    void tearDown() {
        watchdog.close();
    }

    @Test
    void guestSeesTheRequestAndEnvironmentAndBuildsTheResponse() throws Exception {
        try (WasmHttpHandler handler = Guests.handler(Guests.guest("hello"), null, Set.of(),
                Guests.limits(Duration.ofSeconds(5)), options, watchdog)) {
            GuestResponse response = handler.handle(request("PUT", "/greet?x=1", "the body",
                    "x-echo", "echoed", "accept", "*/*"));

            assertThat(response.status()).isEqualTo(200);
            assertThat(Guests.header(response, "content-type")).isEqualTo("text/plain");
            assertThat(Guests.header(response, "x-echo")).isEqualTo("echoed");
            assertThat(Guests.text(response)).isEqualTo(
                    "hello PUT /greet?x=1\nheaders=2\nbody=the body\nenv=hi from env\nvar=https://api.example\nvar.missing=5");
            assertThat(output).containsExactly("hello/stdout: hello guest served /greet?x=1");
        }
    }

    @Test
    void reusedInstanceStartsEachRequestWithAFreshResponse() throws Exception {
        try (WasmHttpHandler handler = Guests.handler(Guests.guest("hello"), null, Set.of(),
                Guests.limits(Duration.ofSeconds(5)), options, watchdog)) {
            GuestResponse first = handler.handle(request("GET", "/one", "", "x-echo", "a"));
            GuestResponse second = handler.handle(request("GET", "/two", ""));

            assertThat(Guests.text(first)).startsWith("hello GET /one\n");
            assertThat(Guests.text(second)).startsWith("hello GET /two\nheaders=0\n");
            assertThat(Guests.header(second, "x-echo")).isNull();
            assertThat(handler.instancesCreated()).isEqualTo(1);
        }
    }
}
