package dev.edge.component.wasi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.edge.component.executor.InstanceContext;
import dev.edge.component.runtime.Component;
import dev.edge.component.runtime.ComponentInstance;
import dev.edge.component.runtime.ComponentLoadException;
import dev.edge.component.wasi.cli.CliState;
import dev.edge.component.wasi.cli.WasiCli;
import dev.edge.component.wasi.io.HostOutputStream;
import dev.edge.component.wasi.http.HttpExchange;
import dev.edge.component.wasi.http.HttpValues;
import dev.edge.component.wasi.http.OutboundHttp;
import dev.edge.component.wasi.http.OutboundPolicy;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Real components (component/src/test/components) linked against {@link WasiHost} by component-core's runtime. */
class WasiHostEndToEndTest {
    private static final long MEMORY = 16L << 20;
    private static final String CLI = "test:guest/cli@0.1.0#";

    @Test
    void aComponentBuiltAgainst020WritesToTheComponentLogsAndReadsItsEnvironment() throws Exception {
        Component component = Component.load(bytes("cli-hello"), WasiHost.interfaces(), MEMORY);
        List<String> lines = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GREETING", "hi");
        env.put("MODE", "test");
        env.put("EMPTY", "");
        CliState cli = new CliState("hello", env, (id, stream, line) -> lines.add(id + " " + stream + " " + line));
        try (ComponentInstance instance = component.instantiate(new TestHostContext().with(cli))) {
            assertThat(instance.function(CLI + "hello").call()).isEqualTo(0); // ok
            assertThat(lines).containsExactly("hello stdout hello from wasm");
            assertThat(instance.function(CLI + "env-count").call()).isEqualTo(3);
            assertThat(instance.liveHandles()).isZero();
        }
    }

    @Test
    void anHttpComponentAnswersThroughTheExchange() throws Exception {
        Component component = Component.load(bytes("http-echo"), WasiHost.interfaces(), MEMORY);
        for (String path : List.of("/get/rs?x=1", "/")) {
            HttpExchange exchange = new HttpExchange(new GuestRequest("GET", path,
                    List.of(Map.entry("host", "localhost")), new byte[0], "127.0.0.1:1234", "HTTP/1.1"), 1024);
            try (ComponentInstance instance = component.instantiate(new TestHostContext().with(exchange))) {
                instance.function("wasi:http/incoming-handler@0.2.0#handle")
                        .call(exchange.incomingRequest(), exchange.responseOutparam());
                assertThat(instance.liveHandles()).isZero();
            }
            GuestResponse response = ((HttpExchange.Outcome.Answered) exchange.outcome()).response();
            assertThat(response.status()).isEqualTo(201);
            assertThat(response.headers()).containsExactly(Map.entry("x-echo", path));
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(path);
        }
    }

    @Test
    void anHttpComponentsBodyPastTheLimitIsTooLarge() throws Exception {
        Component component = Component.load(bytes("http-echo"), WasiHost.interfaces(), MEMORY);
        HttpExchange exchange = new HttpExchange(new GuestRequest("GET", "/0123456789",
                List.of(), new byte[0], "127.0.0.1:1234", "HTTP/1.1"), 5);
        try (ComponentInstance instance = component.instantiate(new TestHostContext().with(exchange))) {
            instance.function("wasi:http/incoming-handler@0.2.0#handle")
                    .call(exchange.incomingRequest(), exchange.responseOutparam());
        }
        assertThat(exchange.outcome()).isEqualTo(new HttpExchange.Outcome.TooLarge(5));
    }

    @Test
    void closingTheInstanceContextDrainsAPartialLastLine() throws Exception {
        Component component = Component.load(bytes("cli-hello"), WasiHost.interfaces(), MEMORY);
        List<String> lines = new ArrayList<>();
        CliState cli = new CliState("hello", Map.of(), (id, stream, line) -> lines.add(line));
        try (InstanceContext context = new InstanceContext().with(cli);
             ComponentInstance instance = component.instantiate(context)) {
            HostOutputStream stdout = (HostOutputStream) WasiCli.stdout().functions().get("get-stdout")
                    .call(context, new Object[0]);
            stdout.write("no newline".getBytes(StandardCharsets.UTF_8));
            assertThat(lines).isEmpty();
        }
        assertThat(lines).containsExactly("no newline");
    }

    @Test
    void aComponentsOutboundRequestIsServedOnlyWhenItsHostIsAllowed() throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> seen = new ArrayList<>();
        upstream.createContext("/", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            exchange.sendResponseHeaders(418, -1);
            exchange.close();
        });
        upstream.start();
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try {
            int port = upstream.getAddress().getPort();
            Component component = Component.load(bytes("http-fetch"), WasiHost.interfaces(), MEMORY);
            OutboundHttp outbound = new OutboundHttp(OutboundPolicy.parse(List.of("http://127.0.0.1:*")),
                    OutboundHttp.defaultClient(), null, 1024);
            TestHostContext context = new TestHostContext().with(outbound);
            try (ComponentInstance instance = component.instantiate(context)) {
                var fetch = instance.function("test:guest/outbound@0.1.0#fetch");
                assertThat(fetch.call("127.0.0.1:" + port)).isEqualTo(418);
                assertThat(seen).containsExactly("GET /");
                assertThat(fetch.call("localhost:" + port)).isEqualTo(1000 + HttpValues.HTTP_REQUEST_DENIED);
                assertThat(fetch.call("127.0.0.1:" + closedPort)).isEqualTo(2000 + HttpValues.CONNECTION_REFUSED);
                assertThat(seen).hasSize(1);
                assertThat(instance.liveHandles()).isZero();
            }
        } finally {
            upstream.stop(0);
        }
    }

    @Test
    void wasiSocketsIsRefusedAtLoadNamingTheInterface() {
        assertThatThrownBy(() -> Component.load(bytes("sockets-import"), WasiHost.interfaces(), MEMORY))
                .isInstanceOf(ComponentLoadException.class)
                .hasMessageContaining("wasi:sockets/instance-network@0.2.0");
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = WasiHostEndToEndTest.class.getResourceAsStream("/components/" + name + ".wasm")) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
