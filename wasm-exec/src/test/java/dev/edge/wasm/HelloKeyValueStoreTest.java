package dev.edge.wasm;

import static dev.edge.wasm.Guests.request;
import static dev.edge.wasm.Guests.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/** The tutorial's handler (examples/hello-key-value-store) through the executor, on the real SQLite store. */
class HelloKeyValueStoreTest {
    private static final String INVALID = "Invalid payload received.\nExpecting {\"firstName\": \"some\", \"lastName\": \"some\"}";

    @TempDir
    Path stateDir;

    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();
    private KeyValueFactor kv;
    private KeyValueStore store;
    private WasmHttpHandler handler;

    @BeforeEach
    void setUp() throws Exception {
        SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "hello-key-value-store");
        kv = new KeyValueFactor("hello-key-value-store", Map.of("default", backend));
        store = backend.open("hello-key-value-store", "default");
        handler = Guests.handler(Guests.TUTORIAL, kv, Set.of("default"), Guests.limits(Duration.ofSeconds(10)),
                ExecutorOptions.defaults(), watchdog);
    }

    @AfterEach
    void tearDown() {
        handler.close();
        kv.close();
        watchdog.close();
    }

    private GuestResponse post(String uri, String body) throws GuestException {
        return handler.handle(request("POST", uri, body, "content-type", "application/json"));
    }

    private String stored(String key) {
        return store.get(key).map(v -> new String(v, StandardCharsets.UTF_8)).orElse(null);
    }

    @Test
    void tutorialSession() throws Exception {
        GuestResponse set = post("/set/rs", "{\"firstName\": \"River\", \"lastName\": \"Scott\"}");
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.body()).isEmpty();
        assertThat(stored("rs")).isEqualTo("{\"firstName\":\"River\",\"lastName\":\"Scott\"}");

        GuestResponse get = handler.handle(request("GET", "/get/rs", ""));
        assertThat(get.status()).isEqualTo(200);
        assertThat(Guests.header(get, "content-type")).isEqualTo("application/json");
        assertThat(text(get)).isEqualTo("{\"firstName\":\"River\",\"lastName\":\"Scott\"}");
        assertThat(get.body()).hasSize(40);
    }

    @Test
    void absentKeyIs404WithEmptyBody() throws Exception {
        GuestResponse get = handler.handle(request("GET", "/get/nobody", ""));
        assertThat(get.status()).isEqualTo(404);
        assertThat(get.body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "{\"firstName\": \"River\"}", "{\"lastName\": \"Scott\"}", "{\"firstName\": \"\", \"lastName\": \"Scott\"}",
        "{\"firstName\": 0, \"lastName\": \"Scott\"}", "{\"firstName\": null, \"lastName\": \"S\"}",
        "{\"firstName\": false, \"lastName\": \"S\"}", "null", "[1,2]", "\"text\"", "42", "true",
        "{\"firstName\": \"A\", \"lastName\": \"B\", \"firstName\": \"\"}", "{\"firstName\": -0.0, \"lastName\": 1}"})
    void payloadWithoutTruthyNamesIs400(String body) throws Exception {
        GuestResponse response = post("/set/k", body);
        assertThat(response.status()).isEqualTo(400);
        assertThat(text(response)).isEqualTo(INVALID);
        assertThat(store.exists("k")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"firstName\": \"A\", \"lastName\": \"B\"", "{'firstName': 'A'}",
        "{\"firstName\": \"A\", \"lastName\": \"B\",}", "{\"firstName\": \"A\" \"lastName\": \"B\"}",
        "{\"firstName\": \"A\", \"lastName\": \"B\"} x", "{\"firstName\": 01, \"lastName\": \"B\"}",
        "{\"firstName\": \"tab\there\", \"lastName\": \"B\"}", "{\"firstName\": \"\\x\", \"lastName\": \"B\"}",
        "{\"firstName\": 1., \"lastName\": \"B\"}", "{\"firstName\": .5, \"lastName\": \"B\"}",
        "{\"firstName\": tru, \"lastName\": \"B\"}", "{\"firstName\": \"\\u12\", \"lastName\": \"B\"}"})
    void malformedJsonIs400(String body) throws Exception {
        GuestResponse response = post("/set/k", body);
        assertThat(response.status()).isEqualTo(400);
        assertThat(store.exists("k")).isFalse();
    }

    /** Expected values are what node's JSON.stringify(JSON.parse(input)) prints. */
    static Stream<Arguments> jsonCases() {
        return Stream.of(
            Arguments.of("{ \"firstName\" : \"River\" ,\n \"lastName\":\"Scott\" }", "{\"firstName\":\"River\",\"lastName\":\"Scott\"}"),
            Arguments.of("{\"lastName\":\"S\",\"firstName\":\"R\",\"age\":30}", "{\"lastName\":\"S\",\"firstName\":\"R\",\"age\":30}"),
            Arguments.of("{\"firstName\":\"a\\\"b\\\\c\\/d\\u00e9\\n\",\"lastName\":\"\\ud83d\\ude00\"}", "{\"firstName\":\"a\\\"b\\\\c/dé\\n\",\"lastName\":\"😀\"}"),
            Arguments.of("{\"firstName\":\"\\u0001\\u001f\\b\\f\\r\\t\",\"lastName\":\"\\ud800x\"}", "{\"firstName\":\"\\u0001\\u001f\\b\\f\\r\\t\",\"lastName\":\"\\ud800x\"}"),
            Arguments.of("{\"firstName\":1.50,\"lastName\":-2E3,\"n\":[0.000001,1e-7,1e21,123456789012345678901,1E400,-0,0.1]}", "{\"firstName\":1.5,\"lastName\":-2000,\"n\":[0.000001,1e-7,1e+21,123456789012345680000,null,0,0.1]}"),
            Arguments.of("{\"firstName\":true,\"lastName\":{\"b\":[1,{\"c\":null}],\"a\":[]},\"e\":{}}", "{\"firstName\":true,\"lastName\":{\"b\":[1,{\"c\":null}],\"a\":[]},\"e\":{}}"),
            Arguments.of("{\"b\":1,\"2\":2,\"firstName\":\"x\",\"10\":3,\"1\":4,\"01\":5,\"lastName\":\"y\",\"b\":6}", "{\"1\":4,\"2\":2,\"10\":3,\"b\":6,\"firstName\":\"x\",\"01\":5,\"lastName\":\"y\"}"),
            Arguments.of("\uFEFF{\"firstName\":\"A\",\"lastName\":\"B\"}", "{\"firstName\":\"A\",\"lastName\":\"B\"}"),
            Arguments.of("{\"firstName\":\"A\",\"lastName\":\"B\",\"x\":4294967295,\"4294967295\":1,\"4294967294\":2}", "{\"4294967294\":2,\"firstName\":\"A\",\"lastName\":\"B\",\"x\":4294967295,\"4294967295\":1}"),
            Arguments.of("{\"firstName\":5e-324,\"lastName\":1.7976931348623157e308}", "{\"firstName\":5e-324,\"lastName\":1.7976931348623157e+308}"));
    }

    @ParameterizedTest
    @MethodSource("jsonCases")
    void storesTheJsonLikeJsonStringify(String input, String expected) throws Exception {
        GuestResponse response = post("/set/k", input);
        assertThat(response.status()).as(input).isEqualTo(200);
        assertThat(stored("k")).isEqualTo(expected);
        assertThat(text(handler.handle(request("GET", "/get/k", "")))).isEqualTo(expected);
    }

    @Test
    void invalidUtf8IsReplacedLikeTextDecoder() throws Exception {
        byte[] body = "{\"firstName\":\"A\u0000\",\"lastName\":\"B\"}".getBytes(StandardCharsets.UTF_8);
        body[15] = (byte) 0xC3; // lone lead byte inside the string (replacing the NUL)
        GuestResponse response = handler.handle(new GuestRequest("POST", "/set/k",
                java.util.List.of(), body, "127.0.0.1:1", "HTTP/1.1"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(stored("k")).isEqualTo("{\"firstName\":\"A\uFFFD\",\"lastName\":\"B\"}");
    }

    @ParameterizedTest
    @CsvSource({"GET,/set/k", "POST,/get/k", "GET,/", "GET,/get", "GET,/get/", "GET,/get/a/b", "PUT,/set/k",
        "DELETE,/get/k", "HEAD,/get/k"})
    void otherRoutesAre404LikeAutoRouter(String method, String uri) throws Exception {
        GuestResponse response = handler.handle(request(method, uri, "{\"firstName\":\"A\",\"lastName\":\"B\"}"));
        assertThat(response.status()).isEqualTo(404);
        assertThat(text(response)).isEqualTo("{\"status\":404,\"error\":\"Not Found\"}");
        assertThat(store.getKeys()).isEmpty();
    }

    @Test
    void routeParamIgnoresQueryAndTrailingSlashes() throws Exception {
        assertThat(post("/set/who//?debug=1", "{\"firstName\":\"A\",\"lastName\":\"B\"}").status()).isEqualTo(200);
        assertThat(stored("who")).isEqualTo("{\"firstName\":\"A\",\"lastName\":\"B\"}");
        assertThat(handler.handle(request("GET", "/get/who?x", "")).status()).isEqualTo(200);
    }

    /**
     * Values another client wrote straight into the store: GET answers JSON.stringify(JSON.parse(value)) whether
     * the value is already in that form (sent as it is) or not (re-serialized). The expected texts are node's.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"firstName\":\"River\",\"lastName\":\"Scott\"}|{\"firstName\":\"River\",\"lastName\":\"Scott\"}",
        "{\"a\":[1,-5,0,true,false,null,\"\",{}],\"b\":{\"c\":[]},\"\":123456789012345}|{\"a\":[1,-5,0,true,false,null,\"\",{}],\"b\":{\"c\":[]},\"\":123456789012345}",
        "{\"a\":1,\"a\":2}|{\"a\":2}",
        "{\"b\":1,\"1\":2}|{\"1\":2,\"b\":1}",
        "[-0,1.0,1e3,1234567890123456789]|[0,1,1000,1234567890123456800]",
        "{\"a\":\"x\\/y\"}|{\"a\":\"x/y\"}",
        "{ \"a\":1}|{\"a\":1}",
        "`\"text\"`|`\"text\"`",
        "42|42"})
    void getAnswersStoredJsonLikeJsonStringify(String stored, String expected) throws Exception {
        store.set("k", stored.getBytes(StandardCharsets.UTF_8));
        GuestResponse response = handler.handle(request("GET", "/get/k", ""));
        assertThat(response.status()).as(stored).isEqualTo(200);
        assertThat(text(response)).as(stored).isEqualTo(expected);
    }

    @Test
    void storedValueThatIsNotJsonIs500() throws Exception {
        store.set("k", "{\"a\":1".getBytes(StandardCharsets.UTF_8));
        assertThat(handler.handle(request("GET", "/get/k", "")).status()).isEqualTo(500);
    }

    /** The tutorial answers 503 (store unavailable, retryable) to any key-value error; see docs/reliability.md. */
    @Test
    void keyValueErrorIs503() throws Exception {
        try (WasmHttpHandler ungranted = Guests.handler(Guests.TUTORIAL, kv, Set.of(),
                Guests.limits(Duration.ofSeconds(10)), ExecutorOptions.defaults(), watchdog)) {
            GuestResponse response = ungranted.handle(request("GET", "/get/rs", ""));
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.body()).isEmpty();
        }
    }
}
