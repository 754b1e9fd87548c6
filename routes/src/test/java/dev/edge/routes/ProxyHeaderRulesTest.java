package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.edge.config.CidrBlock;
import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reverse proxy's header and path rules (RFC 9110 §7.6.1, X-Forwarded-*, dot segments) against a real
 * upstream that echoes every request header it received, through the real ingress, over raw sockets.
 */
class ProxyHeaderRulesTest {
    private static HttpServer upstream;
    private static final AtomicInteger UPSTREAM_HITS = new AtomicInteger();
    private static IngressServer server;
    private static int port;
    /** The same proxy, believing loopback peers' forwarding headers (as behind a local proxy). */
    private static IngressServer trustingServer;
    private static int trustingPort;

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            UPSTREAM_HITS.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            StringBuilder echo = new StringBuilder("path=").append(exchange.getRequestURI().getRawPath()).append('\n');
            new TreeMap<>(exchange.getRequestHeaders()).forEach((name, values) ->
                    echo.append(name.toLowerCase(java.util.Locale.ROOT)).append('=').append(String.join("|", values)).append('\n'));
            byte[] body = echo.toString().getBytes(StandardCharsets.UTF_8);
            // An upstream naming one of its own headers as hop-by-hop: the client must not see it.
            exchange.getResponseHeaders().add("Connection", "x-up-secret");
            exchange.getResponseHeaders().add("X-Up-Secret", "s");
            exchange.getResponseHeaders().add("Keep-Alive", "timeout=5");
            exchange.getResponseHeaders().add("X-Up-Public", "p");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        port = FreePort.next();
        server = ingress(port, ProxyHeaders.untrusting());
        trustingPort = FreePort.next();
        trustingServer = ingress(trustingPort, new ProxyHeaders(List.of(CidrBlock.parse("127.0.0.0/8"))));
    }

    private static IngressServer ingress(int port, ProxyHeaders rules) throws Exception {
        String upstreamUrl = "http://127.0.0.1:" + upstream.getAddress().getPort();
        ProxyStage proxy = new ProxyStage(List.of(ProxyRoute.parse("/api/...=" + upstreamUrl + "/v1")),
                new StreamingProxy(rules, java.time.Duration.ofSeconds(10)));
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/...", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "from manifest")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(), List.of(proxy), "p", "1", null);
        return IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (trustingServer != null) {
            trustingServer.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    private static RawHttp.Reply get(String target, String... headers) throws Exception {
        return get(port, target, headers);
    }

    private static RawHttp.Reply get(int port, String target, String... headers) throws Exception {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: edge.test\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return RawHttp.exchange(port, request.append("Connection: close\r\n\r\n").toString());
    }

    /** Header lines of the echo body: what the upstream received. */
    private static List<String> upstreamSaw(RawHttp.Reply reply) {
        String body = reply.text().substring(reply.text().indexOf("\r\n\r\n") + 4);
        return List.of(body.split("\n"));
    }

    private static List<String> responseHeaderNames(RawHttp.Reply reply) {
        List<String> names = new ArrayList<>();
        for (String line : reply.text().substring(0, reply.text().indexOf("\r\n\r\n")).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                names.add(line.substring(0, colon).toLowerCase(java.util.Locale.ROOT));
            }
        }
        return names;
    }

    @Test
    void headersNamedInConnectionAreNotForwardedToTheUpstream() throws Exception {
        RawHttp.Reply reply = get("/api/x", "Connection: keep-alive, x-secret", "X-Secret: s", "Keep-Alive: 5",
                "TE: trailers", "Proxy-Connection: keep-alive", "X-Kept: k");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(upstreamSaw(reply)).contains("x-kept=k")
                .noneMatch(line -> line.startsWith("x-secret=") || line.startsWith("keep-alive=")
                        || line.startsWith("te=") || line.startsWith("proxy-connection="));
    }

    @Test
    void headersNamedInTheUpstreamsConnectionAreNotForwardedToTheClient() throws Exception {
        RawHttp.Reply reply = get("/api/x");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(responseHeaderNames(reply)).contains("x-up-public").doesNotContain("x-up-secret", "keep-alive");
    }

    @Test
    void clientSentForwardedHeadersAreReplacedByEdgesOwnFromAnUntrustedPeer() throws Exception {
        RawHttp.Reply reply = get("/api/x", "X-Forwarded-Host: evil.test", "X-Forwarded-Proto: https",
                "X-Forwarded-For: 6.6.6.6", "Forwarded: for=6.6.6.6;proto=https", "X-Forwarded-Port: 1",
                "X-Forwarded-Server: evil");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(upstreamSaw(reply)).contains("x-forwarded-host=edge.test", "x-forwarded-proto=http",
                "x-forwarded-for=127.0.0.1").noneMatch(line -> line.startsWith("forwarded=")
                        || line.startsWith("x-forwarded-port=") || line.startsWith("x-forwarded-server="));
    }

    @Test
    void aTrustedPeersForwardedHeadersPassAndItsAddressIsAppended() throws Exception {
        RawHttp.Reply reply = get(trustingPort, "/api/x", "X-Forwarded-Host: public.test", "X-Forwarded-Proto: https",
                "X-Forwarded-For: 203.0.113.7", "Forwarded: for=203.0.113.7;proto=https");
        assertThat(upstreamSaw(reply)).contains("x-forwarded-host=public.test", "x-forwarded-proto=https",
                "x-forwarded-for=203.0.113.7, 127.0.0.1", "forwarded=for=203.0.113.7;proto=https");
        // Without them, edge still sets its own.
        assertThat(upstreamSaw(get(trustingPort, "/api/x"))).contains("x-forwarded-host=edge.test",
                "x-forwarded-proto=http", "x-forwarded-for=127.0.0.1");
    }

    @Test
    void dotSegmentsNeverLeaveTheUpstreamBasePath() throws Exception {
        int before = UPSTREAM_HITS.get();
        for (String target : List.of("/api/../admin", "/api/%2e%2e/admin", "/api/.%2E/admin", "/api/x/../../admin",
                "/api/./x", "/api/..", "/api/..%2fadmin", "/api/..%5cadmin")) {
            assertThat(get(target).status()).as(target).isEqualTo(400);
        }
        assertThat(UPSTREAM_HITS.get()).isEqualTo(before);
        // Dots inside a segment are ordinary characters.
        assertThat(upstreamSaw(get("/api/..x/a.b/..."))).contains("path=/v1/..x/a.b/...");
    }

    @Test
    void dotSegmentsNeverReachGuestRoutesEither() throws Exception {
        assertThat(get("/static/../secret").status()).isEqualTo(400);
        assertThat(get("/static/%2E%2E/secret").status()).isEqualTo(400);
    }

    /** The proxy drops a response's hop-by-hop headers in place: exactly the names toClient leaves out. */
    @Test
    void inPlaceResponseRuleDropsWhatToClientDrops() {
        List<Map.Entry<String, String>> response = List.of(Map.entry("connection", "keep-alive, X-Up-Secret ,,close"),
                Map.entry("x-up-secret", "s"), Map.entry("keep-alive", "timeout=5"), Map.entry("close", "c"),
                Map.entry("transfer-encoding", "chunked"), Map.entry("x-up-public", "p"));
        List<String> kept = ProxyHeaders.untrusting().toClient(200, response).stream().map(Map.Entry::getKey).toList();
        HeaderMap headers = headerMap(response);
        // What StreamingProxy does to a committed response other than a 101.
        java.util.Collection<String> connection = headers.remove(Headers.CONNECTION);
        ProxyHeaders.HOP_BY_HOP.forEach(headers::remove);
        connection.forEach(value -> ProxyHeaders.removeTokens(value, headers, java.util.Set.of()));
        assertThat(lines(headers)).isEqualTo(kept.stream().map(name -> name + "=p").toList()).containsExactly("x-up-public=p");
    }

    /**
     * The proxy's usual request path edits ProxyHandler's copy of the client's headers in place: the upstream gets
     * exactly what toUpstream's list gives (framing and Host aside, the proxy's own), or the list decides.
     */
    @Test
    void inPlaceRequestRuleSendsWhatToUpstreamSends() {
        RequestTarget target = new RequestTarget("http", "edge.test", "/api/x", "", "10.0.0.9:5555");
        List<List<Map.Entry<String, String>>> requests = List.of(
                List.of(Map.entry("Host", "edge.test"), Map.entry("X-Kept", "k")),
                List.of(Map.entry("Host", "edge.test"), Map.entry("Connection", "keep-alive, X-Secret,\tclose"),
                        Map.entry("X-Secret", "s"), Map.entry("Keep-Alive", "5"), Map.entry("TE", "trailers"),
                        Map.entry("Proxy-Connection", "keep-alive"), Map.entry("Proxy-Authorization", "Basic eA=="),
                        Map.entry("Trailer", "x"), Map.entry("X-Kept", "k"), Map.entry("x-kept", "k2"),
                        Map.entry("Transfer-Encoding", "chunked")),
                List.of(Map.entry("Host", "edge.test"), Map.entry("X-Forwarded-For", "6.6.6.6"),
                        Map.entry("X-Forwarded-For", "7.7.7.7"), Map.entry("X-Forwarded-Host", "evil.test"),
                        Map.entry("X-Forwarded-Proto", "https"), Map.entry("X-Forwarded-Port", "1"),
                        Map.entry("X-Forwarded-Server", "evil"), Map.entry("Forwarded", "for=6.6.6.6")),
                List.of(Map.entry("Host", "edge.test"), Map.entry("X-Disable-Push", "no"), Map.entry("HTTP2-Settings", "AAA")),
                List.of(Map.entry("Host", "edge.test"), Map.entry("Connection", "X-Disable-Push, HTTP2-Settings"),
                        Map.entry("X-Disable-Push", "no"), Map.entry("HTTP2-Settings", "AAA"), Map.entry("X-Kept", "k")),
                List.of(Map.entry("Host", "edge.test"), Map.entry("Connection", "Content-Length, host, x-forwarded-for"),
                        Map.entry("Content-Length", "3")));
        ProxyHeaders rules = ProxyHeaders.untrusting();
        for (List<Map.Entry<String, String>> request : requests) {
            HeaderMap client = headerMap(request);
            HeaderMap out = proxyHandlersCopy(client);
            assertThat(rules.toUpstreamInPlace(client, out, target)).as(request.toString()).isTrue();
            for (String proxys : List.of("host", "content-length", "transfer-encoding")) {
                assertThat(values(out, proxys)).as(proxys).isEqualTo(values(client, proxys)); // the caller's to set
                out.remove(proxys);
            }
            assertThat(lines(out)).as(request.toString()).isEqualTo(rules.toUpstream(request, target).stream()
                    .filter(h -> !List.of("host", "content-length", "transfer-encoding").contains(h.getKey()))
                    .map(h -> h.getKey() + "=" + h.getValue()).sorted().toList());
        }
        // An upgrade, and a trusted peer's forwarding headers, are the list's to decide: the map is left as it is.
        HeaderMap upgrade = headerMap(List.of(Map.entry("Connection", "Upgrade"), Map.entry("Upgrade", "websocket")));
        HeaderMap copy = proxyHandlersCopy(upgrade);
        assertThat(rules.toUpstreamInPlace(upgrade, copy, target)).isFalse();
        assertThat(lines(copy)).isEqualTo(lines(proxyHandlersCopy(upgrade)));
        HeaderMap fromProxy = headerMap(List.of(Map.entry("X-Forwarded-For", "203.0.113.7")));
        assertThat(new ProxyHeaders(List.of(CidrBlock.parse("10.0.0.0/8")))
                .toUpstreamInPlace(fromProxy, proxyHandlersCopy(fromProxy), target)).isFalse();
    }

    private static HeaderMap headerMap(List<Map.Entry<String, String>> headers) {
        HeaderMap map = new HeaderMap();
        headers.forEach(h -> map.add(new HttpString(h.getKey()), h.getValue()));
        return map;
    }

    /** What Undertow 2.3's ProxyHandler sends before edge's rules: every header, its Connection and X-Forwarded-*. */
    private static HeaderMap proxyHandlersCopy(HeaderMap client) {
        HeaderMap out = new HeaderMap();
        for (HeaderValues values : client) {
            out.putAll(values.getHeaderName(), values);
        }
        if (client.contains("HTTP2-Settings")) {
            out.put(new HttpString("HTTP2-Settings"), "undertow's own");
        }
        out.put(Headers.CONNECTION, "keep-alive");
        String forwardedFor = client.getFirst(Headers.X_FORWARDED_FOR);
        out.put(Headers.X_FORWARDED_FOR, forwardedFor == null ? "10.0.0.9" : forwardedFor + ",10.0.0.9");
        out.put(Headers.X_DISABLE_PUSH, "true");
        out.put(Headers.X_FORWARDED_PROTO, "http");
        out.put(Headers.X_FORWARDED_SERVER, "edge.test");
        out.put(Headers.X_FORWARDED_HOST, "edge.test");
        out.put(Headers.X_FORWARDED_PORT, 80);
        return out;
    }

    private static List<String> values(HeaderMap headers, String name) {
        return headers.contains(name) ? List.copyOf(headers.get(name)) : List.of();
    }

    /** name=value lines, names in lower case, sorted. */
    private static List<String> lines(HeaderMap headers) {
        List<String> lines = new ArrayList<>();
        for (HeaderValues values : headers) {
            values.forEach(value -> lines.add(values.getHeaderName().toString().toLowerCase(java.util.Locale.ROOT) + "=" + value));
        }
        return lines.stream().sorted().toList();
    }
}
