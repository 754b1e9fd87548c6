package dev.edge.gateway;

import dev.edge.routes.RawHttp;
import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random and mutated HTTP/1.1 requests (methods, paths with odd bytes and escapes, headers, bodies, broken
 * framing) against a real gateway serving the tutorial app and a static route. No answer may be a 5xx (the tutorial
 * only answers 500 on a key-value failure, which must not happen here), a request with valid framing always gets
 * a complete answer (no reset), and health checks keep passing. Set -Dedge.fuzz.seed to replay a run.
 */
class HttpFuzzTest {
    private static final int REQUESTS = 3000;
    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD",
            "OPTIONS", "get", "FOO", "G\u00c9T", "GET /x", ""};
    private static final String[] PREFIXES = {"/get/", "/set/", "/static", "/static/", "/", "/.well-known/spin/health",
            "/.well-known/spin/info", "/.well-known/spin/", "/a/b/c/", "//", "/get", "/set/x/y/", "*", "http://localhost/get/", "http://h/set/",
            "get/"};
    private static final String PATH_CHARS = "abcXYZ019-._~!$&'()*+,;=:@/";
    private static final String[] ESCAPES = {"%20", "%2F", "%C3%A9", "%E2%82%AC", "%F0%9F%98%80", "%ff", "%C3", "%zz",
            "%4", "%", "%00", "%25", "%ED%A0%80"};

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path temp;

    private enum Framing { NONE, LENGTH, CHUNKED, BAD_CHUNK, SHORT_LENGTH }

    private record Fuzzed(byte[] bytes, boolean validFraming, String description) {}

    @Test
    void randomRequestsNeverGetA5xxOrAResetAndHealthChecksKeepPassing() throws Exception {
        long seed = Long.getLong("edge.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        Path manifest = TestApps.manifest(temp.resolve("app"), "fuzz",
                TestApps.component("/...", "hello-key-value-store", TestApps.TUTORIAL, "default") + """
                        [[trigger.http]]
                        route = "/static/..."
                        static_response = { status_code = 200, headers = { content-type = "text/plain" }, body = "static" }
                        """);
        Path runtimeConfig = Files.writeString(temp.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "memory"
                """);
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        Map<Integer, Integer> statuses = new TreeMap<>();
        long started = System.nanoTime();
        try (EdgeApp app = EdgeApp.start(new EdgeApp.Settings(manifest, listen, temp.resolve("state"), runtimeConfig,
                null, List.of()))) {
            for (int i = 0; i < REQUESTS; i++) {
                Fuzzed request = fuzz(random);
                RawHttp.Reply reply = RawHttp.exchange(listen.port(), request.bytes());
                String context = "seed " + seed + ", request " + i + ": " + request.description() + "\n"
                        + new String(request.bytes(), StandardCharsets.ISO_8859_1) + "\n--> " + reply.text();
                statuses.merge(reply.status(), 1, Integer::sum);
                if (request.validFraming()) {
                    assertThat(reply.status()).as(context).isBetween(100, 499);
                } else {
                    assertThat(reply.status()).as(context).isIn(-1, 400, 404, 413, 200, 201, 204, 405);
                }
                if (i % 100 == 0) {
                    assertHealthy(listen);
                }
            }
            assertHealthy(listen);
        }
        long elapsed = (System.nanoTime() - started) / 1_000_000;
        System.out.println("HttpFuzzTest seed " + seed + ": " + REQUESTS + " requests in " + elapsed + " ms, statuses " + statuses);
        // the generator must reach the guest and the router, not just the parser's 400s
        assertThat(statuses).containsKeys(200, 400, 404);
    }

    private void assertHealthy(ListenAddress listen) throws Exception {
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl()
                + "/.well-known/spin/health")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("OK");
    }

    private static Fuzzed fuzz(Random random) {
        // A third of the requests are mutated anywhere; the rest are plausible requests with random content.
        boolean hostile = random.nextInt(3) == 0;
        String method = hostile ? pick(random, METHODS) : pick(random, "GET", "GET", "POST", "POST", "PUT", "DELETE", "HEAD");
        String target = (hostile ? pick(random, PREFIXES) : pick(random, "/get/", "/set/", "/static/", "/", "/get/x"))
                + segment(random, hostile);
        if (random.nextInt(4) == 0) {
            target += "?" + segment(random, hostile).replace("/", "&");
        }
        boolean http10 = random.nextInt(30) == 0;
        List<String> headers = new ArrayList<>();
        boolean host = !hostile || random.nextInt(20) != 0;
        boolean asciiHost = !hostile || random.nextInt(10) != 0;
        if (host) {
            headers.add("Host: " + (asciiHost ? "localhost" : "h\u00e9"));
        }
        for (int n = random.nextInt(8); n > 0; n--) {
            headers.add(header(random, hostile));
        }
        // Syntactically valid HTTP/1.1 (RFC 9112): such a request must always get a complete answer.
        // Undertow itself (before edge's handler) refuses a missing or non-ASCII Host and an absolute-form authority
        // that is not the Host, without reading the body: with a body pending, the client may see a reset.
        boolean wellFormed = isToken(method) && target.chars().allMatch(c -> c > 0x20 && c < 0x7f)
                && (host ? asciiHost : http10) && isRequestTarget(target) && headers.stream().allMatch(HttpFuzzTest::isValidField);
        byte[] body = body(random);
        Framing framing = body.length == 0 && random.nextBoolean() ? Framing.NONE
                : hostile ? pick(random, Framing.values()) : pick(random, Framing.LENGTH, Framing.LENGTH, Framing.CHUNKED);
        switch (framing) {
            case LENGTH -> headers.add("Content-Length: " + body.length);
            case SHORT_LENGTH -> headers.add("Content-Length: " + Math.max(0, body.length - 1 - random.nextInt(3)));
            case CHUNKED, BAD_CHUNK -> headers.add("Transfer-Encoding: chunked");
            case NONE -> body = new byte[0];
        }
        headers.add("Connection: close");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = method + " " + target + " " + (http10 ? "HTTP/1.0" : "HTTP/1.1") + "\r\n"
                + String.join("\r\n", headers) + "\r\n\r\n";
        // Most requests are ASCII; some carry raw UTF-8 or Latin-1 bytes where they do not belong.
        out.writeBytes(head.getBytes(random.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
        if (framing == Framing.CHUNKED || framing == Framing.BAD_CHUNK) {
            int at = 0;
            while (at < body.length) {
                int size = Math.min(body.length - at, 1 + random.nextInt(64));
                String sizeLine = framing == Framing.BAD_CHUNK && random.nextBoolean() ? "zz" : Integer.toHexString(size);
                out.writeBytes((sizeLine + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, at, size);
                out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                at += size;
            }
            out.writeBytes((framing == Framing.BAD_CHUNK ? "-1\r\n\r\n" : "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        } else {
            out.writeBytes(body);
        }
        boolean valid = wellFormed && (framing == Framing.NONE || framing == Framing.LENGTH
                || (framing == Framing.CHUNKED && !http10));
        return new Fuzzed(out.toByteArray(), valid, method + " " + framing);
    }

    /** Origin form, the absolute form naming the Host sent, or the asterisk form. */
    private static boolean isRequestTarget(String target) {
        return target.startsWith("/") || target.startsWith("http://localhost/") || target.equals("*");
    }

    private static boolean isToken(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0);
    }

    /** A token name, then field-value characters: visible ASCII, SP, HTAB and obs-text (0x80-0xff). */
    private static boolean isValidField(String header) {
        int colon = header.indexOf(':');
        return colon > 0 && isToken(header.substring(0, colon))
                && header.substring(colon + 1).chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f));
    }

    private static String segment(Random random, boolean hostile) {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(24); n > 0; n--) {
            int kind = random.nextInt(hostile ? 20 : 16);
            if (kind < 14) {
                s.append(PATH_CHARS.charAt(random.nextInt(PATH_CHARS.length())));
            } else if (kind < 18) {
                s.append(hostile ? pick(random, ESCAPES) : pick(random, "%20", "%C3%A9", "%E2%82%AC", "%25"));
            } else if (kind == 18) {
                s.append((char) (0x80 + random.nextInt(0x80))); // a raw non-ASCII byte
            } else {
                s.append((char) random.nextInt(0x20 + 1)); // a control character or space
            }
        }
        return s.toString();
    }

    private static String header(Random random, boolean hostile) {
        String[] names = {"Content-Type", "Accept", "X-Custom", "spin-path-info", "spin-full-url", "Cookie",
                "User-Agent", "X-" + segment(random, false).replaceAll("[^A-Za-z0-9-]", ""), "Bad Name", "X\u00e9"};
        String[] values = {"application/json", "text/plain", "*/*", "", " padded ", "a\u00e9b", "v=1; w=2",
                "x".repeat(random.nextInt(2000)), segment(random, false), "a\u0001b", segment(random, true)};
        String name = names[random.nextInt(hostile ? names.length : names.length - 2)];
        return name + ": " + values[random.nextInt(hostile ? values.length : values.length - 2)];
    }

    private static byte[] body(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> new byte[0];
            case 1 -> "{\"firstName\": \"River\", \"lastName\": \"Scott\"}".getBytes(StandardCharsets.UTF_8);
            case 2 -> "{\"firstName\": \"\u00c9l\u00e9a\", \"lastName\": 7, \"x\": [1, {\"y\": null}]}".getBytes(StandardCharsets.UTF_8);
            case 3 -> "{\"firstName\": \"River\", ".getBytes(StandardCharsets.UTF_8);
            case 4 -> {
                byte[] bytes = new byte[random.nextInt(4096)];
                random.nextBytes(bytes);
                yield bytes;
            }
            default -> "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".repeat(1 + random.nextInt(50))
                    .getBytes(StandardCharsets.US_ASCII);
        };
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... options) {
        return options[random.nextInt(options.length)];
    }
}
