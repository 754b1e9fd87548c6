package dev.edge.component.wasi.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.edge.component.abi.Variant;
import dev.edge.component.host.ComponentTrap;
import dev.edge.component.host.HostInterface;
import dev.edge.component.wasi.TestHostContext;
import dev.edge.component.wasi.io.HostInputStream;
import dev.edge.component.wasi.io.HostOutputStream;
import dev.edge.component.wasi.io.Pollable;
import dev.edge.component.wasi.io.WasiIo;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WasiHttpTest {
    private static HttpServer upstream;
    private static final List<String> seen = new CopyOnWriteArrayList<>();

    private final HostInterface types = WasiHttp.types();
    private final HostInterface outgoing = WasiHttp.outgoingHandler();
    private final HostInterface streams = WasiIo.streams();
    private final TestHostContext cx = new TestHostContext();

    @BeforeAll
    static void startUpstream() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " x-test="
                    + exchange.getRequestHeaders().getFirst("x-test") + " body=" + new String(body, StandardCharsets.UTF_8));
            byte[] answer = ("echo:" + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("x-upstream", "yes");
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop(0);
    }

    // ---- fields ----

    @Test
    void fieldsFollowTheMutabilityAndValidityRules() {
        Fields f = (Fields) cx.call(types, "[constructor]fields");
        assertThat(cx.call(types, "[method]fields.append", f, "X-One", bytes("a"))).isEqualTo(Variant.ok(null));
        assertThat(cx.call(types, "[method]fields.append", f, "x-one", bytes("b"))).isEqualTo(Variant.ok(null));
        assertThat(values(cx.call(types, "[method]fields.get", f, "X-ONE"))).containsExactly("a", "b");
        assertThat(cx.call(types, "[method]fields.has", f, "x-one")).isEqualTo(true);
        assertThat(cx.call(types, "[method]fields.set", f, "x-one", List.of(bytes("c")))).isEqualTo(Variant.ok(null));
        assertThat(values(cx.call(types, "[method]fields.get", f, "x-one"))).containsExactly("c");
        assertThat(cx.call(types, "[method]fields.append", f, "bad name", bytes("x"))).isEqualTo(headerError(0));
        assertThat(cx.call(types, "[method]fields.append", f, "x-two", bytes("a\r\nb"))).isEqualTo(headerError(0));
        assertThat(cx.call(types, "[method]fields.append", f, "Connection", bytes("close"))).isEqualTo(headerError(1));
        assertThat(cx.call(types, "[method]fields.set", f, "transfer-encoding", List.of())).isEqualTo(headerError(1));
        assertThat(cx.call(types, "[method]fields.delete", f, "upgrade")).isEqualTo(headerError(1));
        Fields copy = (Fields) cx.call(types, "[method]fields.clone", f);
        assertThat(cx.call(types, "[method]fields.delete", f, "x-one")).isEqualTo(Variant.ok(null));
        assertThat(cx.call(types, "[method]fields.has", f, "x-one")).isEqualTo(false);
        assertThat(cx.call(types, "[method]fields.entries", copy)).usingRecursiveComparison()
                .isEqualTo(List.<Object>of((Object) new Object[] {"x-one", bytes("c")}));
        assertThat(cx.call(types, "[static]fields.from-list", List.<Object>of((Object) new Object[] {"host", bytes("h")})))
                .isInstanceOfSatisfying(Variant.class, v -> assertThat(v.isOk()).isTrue());
        assertThat(cx.call(types, "[static]fields.from-list", List.<Object>of((Object) new Object[] {"te", bytes("x")})))
                .isEqualTo(headerError(1));
    }

    // ---- incoming-handler exchange ----

    @Test
    void theIncomingRequestIsTheIngressRequestWithSpinHeadersAndBody() {
        HttpExchange exchange = new HttpExchange(new GuestRequest("POST", "/set/rs?x=1",
                List.of(Map.entry("host", "localhost:3000"), Map.entry("content-type", "application/json"),
                        Map.entry("spin-full-url", "https://example.com:8443/set/rs?x=1"),
                        Map.entry("spin-path-info", "/rs")),
                bytes("{\"a\":1}"), "127.0.0.1:5555", "HTTP/1.1"), 1024);
        cx.with(exchange);
        IncomingRequest req = exchange.incomingRequest();
        assertThat(cx.call(types, "[method]incoming-request.method", req)).isEqualTo(new Variant(2, null));
        assertThat(cx.call(types, "[method]incoming-request.path-with-query", req)).isEqualTo(Variant.some("/set/rs?x=1"));
        assertThat(cx.call(types, "[method]incoming-request.scheme", req)).isEqualTo(Variant.some(new Variant(1, null)));
        assertThat(cx.call(types, "[method]incoming-request.authority", req)).isEqualTo(Variant.some("example.com:8443"));
        Fields headers = (Fields) cx.call(types, "[method]incoming-request.headers", req);
        assertThat(values(cx.call(types, "[method]fields.get", headers, "spin-path-info"))).containsExactly("/rs");
        assertThat(cx.call(types, "[method]fields.append", headers, "x-new", bytes("v"))).isEqualTo(headerError(2));

        Variant consumed = (Variant) cx.call(types, "[method]incoming-request.consume", req);
        assertThat(cx.call(types, "[method]incoming-request.consume", req)).isEqualTo(Variant.err(null));
        IncomingBody body = (IncomingBody) consumed.payload();
        HostInputStream in = (HostInputStream) ((Variant) cx.call(types, "[method]incoming-body.stream", body)).payload();
        assertThat(cx.call(types, "[method]incoming-body.stream", body)).isEqualTo(Variant.err(null));
        Variant read = (Variant) cx.call(streams, "[method]input-stream.blocking-read", in, 100L);
        assertThat(new String((byte[]) read.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        FutureTrailers trailers = (FutureTrailers) cx.call(types, "[static]incoming-body.finish", body);
        assertThat(cx.call(types, "[method]future-trailers.get", trailers))
                .isEqualTo(Variant.some(Variant.ok(Variant.ok(Variant.none()))));
        assertThat(cx.call(types, "[method]future-trailers.get", trailers)).isEqualTo(Variant.some(Variant.err(null)));
    }

    @Test
    void theResponseOutparamBecomesTheAnswer() {
        HttpExchange exchange = exchange(1024);
        OutgoingResponse response = respond(exchange, 404, "content-type", "application/json");
        writeBody(response, "{\"missing\":true}", true);
        cx.call(types, "[static]response-outparam.set", exchange.responseOutparam(), Variant.ok(response));
        GuestResponse answer = ((HttpExchange.Outcome.Answered) exchange.outcome()).response();
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.headers()).containsExactly(Map.entry("content-type", "application/json"));
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"missing\":true}");
    }

    @Test
    void anUnsetErrorUnfinishedOrOversizedResponseIsNotAnAnswer() {
        assertThat(exchange(1024).outcome()).isInstanceOf(HttpExchange.Outcome.Failed.class);

        HttpExchange failed = exchange(1024);
        cx.call(types, "[static]response-outparam.set", failed.responseOutparam(),
                Variant.err(HttpValues.internalError("boom")));
        assertThat(((HttpExchange.Outcome.Failed) failed.outcome()).reason()).contains("boom");

        HttpExchange unfinished = exchange(1024);
        OutgoingResponse r1 = respond(unfinished, 200);
        writeBody(r1, "partial", false);
        cx.call(types, "[static]response-outparam.set", unfinished.responseOutparam(), Variant.ok(r1));
        assertThat(unfinished.outcome()).isInstanceOf(HttpExchange.Outcome.Failed.class);

        HttpExchange big = exchange(4);
        OutgoingResponse r2 = respond(big, 200);
        OutgoingBody body = (OutgoingBody) ((Variant) cx.call(types, "[method]outgoing-response.body", r2)).payload();
        HostOutputStream out = (HostOutputStream) ((Variant) cx.call(types, "[method]outgoing-body.write", body)).payload();
        Variant write = (Variant) cx.call(streams, "[method]output-stream.write", out, bytes("12345"));
        assertThat(write.isOk()).isFalse();
        out.close();
        Variant finish = (Variant) cx.call(types, "[static]outgoing-body.finish", body, Variant.none());
        assertThat(finish).isEqualTo(Variant.err(new Variant(HttpValues.HTTP_RESPONSE_BODY_SIZE, Variant.some(4L))));
        cx.call(types, "[static]response-outparam.set", big.responseOutparam(), Variant.ok(r2));
        assertThat(big.outcome()).isEqualTo(new HttpExchange.Outcome.TooLarge(4));
    }

    @Test
    void aBodyThatDisagreesWithItsContentLengthCannotBeFinished() {
        HttpExchange exchange = exchange(1024);
        OutgoingResponse response = respond(exchange, 200, "content-length", "3");
        OutgoingBody body = (OutgoingBody) ((Variant) cx.call(types, "[method]outgoing-response.body", response)).payload();
        HostOutputStream out = (HostOutputStream) ((Variant) cx.call(types, "[method]outgoing-body.write", body)).payload();
        cx.call(streams, "[method]output-stream.write", out, bytes("hello"));
        out.close();
        assertThat(cx.call(types, "[static]outgoing-body.finish", body, Variant.none()))
                .isEqualTo(Variant.err(new Variant(HttpValues.HTTP_RESPONSE_BODY_SIZE, Variant.some(5L))));
        cx.call(types, "[static]response-outparam.set", exchange.responseOutparam(), Variant.ok(response));
        assertThat(exchange.outcome()).isInstanceOf(HttpExchange.Outcome.Failed.class);

        HttpExchange exact = exchange(1024);
        OutgoingResponse ok = respond(exact, 200, "content-length", "5");
        writeBody(ok, "hello", true);
        cx.call(types, "[static]response-outparam.set", exact.responseOutparam(), Variant.ok(ok));
        assertThat(exact.outcome()).isInstanceOf(HttpExchange.Outcome.Answered.class);
    }

    @Test
    void statusCodesAreValidatedAndFinishWithALiveStreamTraps() {
        HttpExchange exchange = exchange(1024);
        OutgoingResponse response = respond(exchange, 200);
        assertThat(cx.call(types, "[method]outgoing-response.set-status-code", response, 99)).isEqualTo(Variant.err(null));
        assertThat(cx.call(types, "[method]outgoing-response.status-code", response)).isEqualTo(200);
        Fields headers = (Fields) cx.call(types, "[method]outgoing-response.headers", response);
        assertThat(cx.call(types, "[method]fields.append", headers, "x", bytes("y"))).isEqualTo(headerError(2));
        OutgoingBody body = (OutgoingBody) ((Variant) cx.call(types, "[method]outgoing-response.body", response)).payload();
        assertThat(cx.call(types, "[method]outgoing-response.body", response)).isEqualTo(Variant.err(null));
        cx.call(types, "[method]outgoing-body.write", body);
        assertThatThrownBy(() -> cx.call(types, "[static]outgoing-body.finish", body, Variant.none()))
                .isInstanceOf(ComponentTrap.class);
    }

    // ---- outgoing-handler ----

    @Test
    void anAllowedHostIsServedWithTheGuestsBody() {
        cx.with(outbound(List.of("http://127.0.0.1:" + port())));
        Fields headers = new Fields();
        cx.call(types, "[method]fields.append", headers, "x-test", bytes("42"));
        OutgoingRequest req = request(headers, "POST", "http", "127.0.0.1:" + port(), "/echo?q=1");
        OutgoingBody body = (OutgoingBody) ((Variant) cx.call(types, "[method]outgoing-request.body", req)).payload();
        Variant handled = (Variant) cx.call(outgoing, "handle", req, Variant.none());
        FutureIncomingResponse future = (FutureIncomingResponse) handled.payload();
        assertThat(cx.call(types, "[method]future-incoming-response.get", future)).isEqualTo(Variant.none());
        HostOutputStream out = (HostOutputStream) ((Variant) cx.call(types, "[method]outgoing-body.write", body)).payload();
        cx.call(streams, "[method]output-stream.blocking-write-and-flush", out, bytes("hello"));
        out.close();
        assertThat(cx.call(types, "[static]outgoing-body.finish", body, Variant.none())).isEqualTo(Variant.ok(null));

        Pollable ready = (Pollable) cx.call(types, "[method]future-incoming-response.subscribe", future);
        cx.call(WasiIo.poll(), "[method]pollable.block", ready);
        Variant got = (Variant) cx.call(types, "[method]future-incoming-response.get", future);
        IncomingResponse response = (IncomingResponse) ((Variant) ((Variant) got.payload()).payload()).payload();
        assertThat(cx.call(types, "[method]incoming-response.status", response)).isEqualTo(201);
        Fields responseHeaders = (Fields) cx.call(types, "[method]incoming-response.headers", response);
        assertThat(values(cx.call(types, "[method]fields.get", responseHeaders, "x-upstream"))).containsExactly("yes");
        IncomingBody in = (IncomingBody) ((Variant) cx.call(types, "[method]incoming-response.consume", response)).payload();
        HostInputStream stream = (HostInputStream) ((Variant) cx.call(types, "[method]incoming-body.stream", in)).payload();
        assertThat(readAll(stream)).isEqualTo("echo:hello");
        assertThat(seen).contains("POST /echo?q=1 x-test=42 body=hello");
        assertThat(cx.call(types, "[method]future-incoming-response.get", future)).isEqualTo(Variant.some(Variant.err(null)));
    }

    @Test
    void aHostNotAllowedIsDeniedWithoutBeingContacted() {
        cx.with(outbound(List.of("https://example.com", "http://127.0.0.1:1..2")));
        int before = seen.size();
        for (String scheme : List.of("http", "https")) {
            OutgoingRequest req = request(new Fields(), "GET", scheme, "127.0.0.1:" + port(), "/denied");
            assertThat(cx.call(outgoing, "handle", req, Variant.none()))
                    .isEqualTo(Variant.err(new Variant(HttpValues.HTTP_REQUEST_DENIED, null)));
        }
        cx.with(outbound(List.of()));
        OutgoingRequest req = request(new Fields(), "GET", "http", "127.0.0.1:" + port(), "/denied");
        assertThat(cx.call(outgoing, "handle", req, Variant.none()))
                .isEqualTo(Variant.err(new Variant(HttpValues.HTTP_REQUEST_DENIED, null)));
        assertThat(seen).hasSize(before);
    }

    @Test
    void aRelativeRequestGoesToTheAppWhenSelfIsAllowed() {
        cx.with(new OutboundHttp(OutboundPolicy.parse(List.of("http://self")), OutboundHttp.defaultClient(),
                URI.create("http://127.0.0.1:" + port()), 1024));
        OutgoingRequest req = request(new Fields(), "GET", null, null, "/self-call");
        FutureIncomingResponse future = (FutureIncomingResponse) ((Variant) cx.call(outgoing, "handle", req,
                Variant.none())).payload();
        cx.call(WasiIo.poll(), "poll", List.of(cx.call(types, "[method]future-incoming-response.subscribe", future)));
        Variant got = (Variant) cx.call(types, "[method]future-incoming-response.get", future);
        assertThat(((Variant) got.payload()).isOk()).isTrue();
        assertThat(seen).anyMatch(s -> s.startsWith("GET /self-call"));

        cx.with(outbound(List.of("http://127.0.0.1:" + port())));
        assertThat(cx.call(outgoing, "handle", request(new Fields(), "GET", null, null, "/x"), Variant.none()))
                .isEqualTo(Variant.err(new Variant(HttpValues.HTTP_REQUEST_DENIED, null)));
    }

    @Test
    void aRefusedConnectionIsConnectionRefused() throws IOException {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        cx.with(outbound(List.of("http://127.0.0.1:*")));
        OutgoingRequest req = request(new Fields(), "GET", "http", "127.0.0.1:" + closedPort, "/");
        FutureIncomingResponse future = (FutureIncomingResponse) ((Variant) cx.call(outgoing, "handle", req,
                Variant.none())).payload();
        cx.call(WasiIo.poll(), "[method]pollable.block", cx.call(types, "[method]future-incoming-response.subscribe", future));
        assertThat(cx.call(types, "[method]future-incoming-response.get", future)).isEqualTo(
                Variant.some(Variant.ok(Variant.err(new Variant(HttpValues.CONNECTION_REFUSED, null)))));
    }

    // ---- helpers ----

    private OutboundHttp outbound(List<String> allowed) {
        return new OutboundHttp(OutboundPolicy.parse(allowed), OutboundHttp.defaultClient(), null, 1024);
    }

    private OutgoingRequest request(Fields headers, String method, String scheme, String authority, String path) {
        OutgoingRequest req = (OutgoingRequest) cx.call(types, "[constructor]outgoing-request", headers);
        cx.call(types, "[method]outgoing-request.set-method", req, HttpValues.method(method));
        cx.call(types, "[method]outgoing-request.set-scheme", req,
                scheme == null ? Variant.none() : Variant.some(HttpValues.scheme(scheme)));
        cx.call(types, "[method]outgoing-request.set-authority", req,
                authority == null ? Variant.none() : Variant.some(authority));
        assertThat(cx.call(types, "[method]outgoing-request.set-path-with-query", req, Variant.some(path)))
                .isEqualTo(Variant.ok(null));
        return req;
    }

    private HttpExchange exchange(long limit) {
        HttpExchange exchange = new HttpExchange(new GuestRequest("GET", "/", List.of(), new byte[0], "1.2.3.4:5",
                "HTTP/1.1"), limit);
        cx.with(exchange);
        return exchange;
    }

    private OutgoingResponse respond(HttpExchange exchange, int status, String... header) {
        Fields fields = (Fields) cx.call(types, "[constructor]fields");
        for (int i = 0; i < header.length; i += 2) {
            cx.call(types, "[method]fields.append", fields, header[i], bytes(header[i + 1]));
        }
        OutgoingResponse response = (OutgoingResponse) cx.call(types, "[constructor]outgoing-response", fields);
        assertThat(cx.call(types, "[method]outgoing-response.set-status-code", response, status)).isEqualTo(Variant.ok(null));
        return response;
    }

    private void writeBody(OutgoingResponse response, String text, boolean finish) {
        OutgoingBody body = (OutgoingBody) ((Variant) cx.call(types, "[method]outgoing-response.body", response)).payload();
        HostOutputStream out = (HostOutputStream) ((Variant) cx.call(types, "[method]outgoing-body.write", body)).payload();
        assertThat(cx.call(streams, "[method]output-stream.write", out, bytes(text))).isEqualTo(Variant.ok(null));
        out.close();
        if (finish) {
            assertThat(cx.call(types, "[static]outgoing-body.finish", body, Variant.none())).isEqualTo(Variant.ok(null));
        }
    }

    private String readAll(HostInputStream in) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (true) {
            Variant r = (Variant) cx.call(streams, "[method]input-stream.blocking-read", in, 4096L);
            if (!r.isOk()) {
                return all.toString(StandardCharsets.UTF_8);
            }
            all.writeBytes((byte[]) r.payload());
        }
    }

    private static Variant headerError(int code) {
        return Variant.err(new Variant(code, null));
    }

    private static List<String> values(Object list) {
        return ((List<?>) list).stream().map(v -> new String((byte[]) v, StandardCharsets.ISO_8859_1)).toList();
    }

    private static int port() {
        return upstream.getAddress().getPort();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
