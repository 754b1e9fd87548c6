package dev.edge.wasm;

import static dev.edge.wasm.Guests.request;
import static dev.edge.wasm.Guests.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.StoreBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every key-value ABI call, driven by the real kvtest guest, on every backend: memory, SQLite and Redis. */
class KvAbiTest {
    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();
    private KeyValueFactor kv;

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        if (kv != null) {
            kv.close();
        }
        watchdog.close();
    }

    private final String app = TestBackends.newAppName();

    private WasmHttpHandler handler(String backendType, Set<String> grants) throws WasmLoadException {
        StoreBackend backend = TestBackends.create(backendType, app, dir);
        // "default" and "other" are configured; the component is granted `grants`
        kv = new KeyValueFactor(app, Map.of("default", backend, "other", backend));
        return Guests.handler(Guests.guest("kvtest"), kv, grants, Guests.limits(Duration.ofSeconds(10)),
                ExecutorOptions.defaults(), watchdog);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite", "redis"})
    void everyOperation(String backendType) throws Exception {
        try (WasmHttpHandler handler = handler(backendType, Set.of("default"))) {
            GuestResponse response = handler.handle(request("GET", "/all", ""));

            assertThat(response.status()).isEqualTo(200);
            assertThat(withPagesJoined(text(response))).isEqualTo(String.join("\n",
                    "open=0",
                    "set=0",
                    "get=0:one",
                    "set.binary=0",
                    "get.binary=0:4:012255",
                    "get.missing=5:",
                    "exists=1",
                    "exists.missing=0",
                    "delete=0",
                    "delete.missing=0",
                    "get_keys=0:alpha",
                    "increment=5",
                    "increment.again=3",
                    "counter.text=0:3",
                    "increment.not_a_number=4",
                    "cas.new=0",
                    "cas.current=0:one",
                    "cas.swap=0",
                    "cas.after=0:two",
                    "cas.new2=0",
                    "cas.conflict=6",
                    "cas.kept=0:changed",
                    "cas.new.absent=0",
                    "cas.current.absent=5:",
                    "cas.swap.absent=0",
                    "cas.swap.released=4",
                    "cas.new3=0",
                    "cas.drop=0",
                    "set_many=0",
                    "get_many=p:3:v3,p:1:v1",
                    "list_keys=0:p:1,p:2,p:3",
                    "delete_many=0",
                    "list_keys.after=0:p:3",
                    "close=0",
                    "get.closed=4:",
                    "get.closed.error=0:invalid store handle 0",
                    ""));
        }
    }

    /**
     * The transcript with its "list_keys.N" pages (two keys at most each) replaced by one "list_keys" line
     * holding every listed key, sorted: how keys fall into pages is the backend's choice (Redis SCAN may
     * return short or even empty pages before the last), which keys are listed is not.
     */
    private static String withPagesJoined(String transcript) {
        List<String> keys = new java.util.ArrayList<>();
        StringBuilder out = new StringBuilder();
        boolean pagesSeen = false;
        for (String line : transcript.split("\n", -1)) {
            java.util.regex.Matcher page = java.util.regex.Pattern.compile("list_keys\\.\\d+=0:(.*)").matcher(line);
            if (page.matches()) {
                List<String> pageKeys = page.group(1).isEmpty() ? List.of() : List.of(page.group(1).split(","));
                assertThat(pageKeys).as(line).hasSizeLessThanOrEqualTo(2);
                keys.addAll(pageKeys);
                if (!pagesSeen) {
                    out.append("list_keys=0:@PAGES@\n");
                    pagesSeen = true;
                }
                continue;
            }
            out.append(line).append('\n');
        }
        assertThat(keys).doesNotHaveDuplicates();
        String joined = out.substring(0, out.length() - 1);
        return joined.replace("@PAGES@", String.join(",", keys.stream().sorted().toList()));
    }

    @org.junit.jupiter.api.Test
    void writesLandInTheSqliteFile() throws Exception {
        try (WasmHttpHandler handler = handler("sqlite", Set.of("default"))) {
            handler.handle(request("GET", "/all", ""));
        }
        kv.close();
        kv = null;
        try (StoreBackend backend = TestBackends.create("sqlite", app, dir)) {
            KeyValueStore store = backend.open(app, "default");
            assertThat(store.get("alpha")).map(v -> new String(v, StandardCharsets.UTF_8)).contains("changed");
            assertThat(store.get("fresh")).map(v -> new String(v, StandardCharsets.UTF_8)).contains("new");
            assertThat(store.exists("p:1")).isFalse();
            assertThat(store.get("counter")).map(v -> new String(v, StandardCharsets.UTF_8)).contains("3");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite", "redis"})
    void ungrantedLabelIsAccessDeniedInsideTheGuest(String backendType) throws Exception {
        try (WasmHttpHandler handler = handler(backendType, Set.of("default"))) {
            GuestResponse denied = handler.handle(request("GET", "/open/other", ""));
            assertThat(text(denied)).isEqualTo(
                    "code=3\nerror=0:component is not granted key_value_stores label 'other'\n");

            GuestResponse granted = handler.handle(request("GET", "/open/default", ""));
            assertThat(text(granted)).isEqualTo("code=0\nerror=0:\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite", "redis"})
    void grantedButUnconfiguredLabelIsNoSuchStore(String backendType) throws Exception {
        try (WasmHttpHandler handler = handler(backendType, Set.of("default", "ghost"))) {
            GuestResponse response = handler.handle(request("GET", "/open/ghost", ""));
            assertThat(text(response)).isEqualTo("code=2\nerror=0:no such store: 'ghost' is not configured for app '" + app + "'\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite", "redis"})
    void moreThan256OpenStoresIsStoreTableFullAndTheTableIsPerRequest(String backendType) throws Exception {
        try (WasmHttpHandler handler = handler(backendType, Set.of("default"))) {
            assertThat(text(handler.handle(request("GET", "/openmany", "")))).isEqualTo("opened=256 code=1");
            // the same (reused) instance starts the next request with an empty table
            assertThat(text(handler.handle(request("GET", "/openmany", "")))).isEqualTo("opened=256 code=1");
            assertThat(handler.instancesCreated()).isEqualTo(1);
        }
    }

    @Test
    void setWithTtlExpiresOnRedis() throws Exception {
        try (WasmHttpHandler handler = handler("redis", Set.of("default"))) {
            assertThat(text(handler.handle(request("GET", "/ttl/400", ""))))
                    .isEqualTo("set_ttl=0\nerror=0:\nget=0:v\n");
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> text(handler.handle(request("GET", "/ttl-get", ""))).equals("get=5:\n"));
            assertThat(text(handler.handle(request("GET", "/ttl/0", ""))))
                    .isEqualTo("set_ttl=4\nerror=0:ttl must be a positive number of milliseconds\nget=5:\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void setWithTtlIsOtherOnStoresWithoutExpiry(String backendType) throws Exception {
        try (WasmHttpHandler handler = handler(backendType, Set.of("default"))) {
            assertThat(text(handler.handle(request("GET", "/ttl/400", ""))))
                    .isEqualTo("set_ttl=4\nerror=0:set with a TTL (expiring keys) needs a store of type \"redis\"\n"
                            + "get=5:\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite", "redis"})
    void invalidUtf8KeyIsOtherWithAClearMessage(String backendType) throws Exception {
        try (WasmHttpHandler handler = handler(backendType, Set.of("default"))) {
            GuestResponse response = handler.handle(request("GET", "/badutf8", ""));
            assertThat(text(response)).isEqualTo("get=4:\nerror=0:key is not valid UTF-8\n");
        }
    }
    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite", "redis"})
    void listKeysPagesThroughEveryKeyOfThePrefixExactlyOnce(String backendType) throws Exception {
        try (WasmHttpHandler handler = handler(backendType, Set.of("default"))) {
            assertThat(text(handler.handle(request("POST", "/fill", "", "x-prefix", "user:", "x-count", "1200"))))
                    .isEqualTo("fill=0\n");
            // neighbours that share a leading part of the prefix must not be listed
            assertThat(text(handler.handle(request("POST", "/fill", "", "x-prefix", "users", "x-count", "30"))))
                    .isEqualTo("fill=0\n");
            assertThat(text(handler.handle(request("POST", "/fill", "", "x-prefix", "use", "x-count", "30"))))
                    .isEqualTo("fill=0\n");

            for (String limit : new String[] {"7", "0", "1000"}) {
                List<String> lines = text(handler.handle(request("GET", "/pages", "", "x-prefix", "user:",
                        "x-limit", limit))).lines().toList();
                String summary = lines.get(lines.size() - 1);
                List<String> keys = lines.subList(0, lines.size() - 1);
                assertThat(keys).as("limit %s", limit).doesNotHaveDuplicates().hasSize(1200)
                        .allMatch(k -> k.startsWith("user:"));
                assertThat(new java.util.HashSet<>(keys)).isEqualTo(java.util.stream.IntStream.range(0, 1200)
                        .mapToObj(i -> "user:" + i).collect(java.util.stream.Collectors.toSet()));
                int pages = Integer.parseInt(summary.substring("pages=".length()));
                int pageSize = "0".equals(limit) ? 100 : Integer.parseInt(limit);
                // a page holds at most `limit` keys (0 = 100), so paging took at least 1200 / limit pages
                assertThat(pages).as("limit %s", limit).isGreaterThanOrEqualTo((1200 + pageSize - 1) / pageSize);
            }
            List<String> all = text(handler.handle(request("GET", "/pages", "", "x-limit", "0"))).lines().toList();
            assertThat(all.subList(0, all.size() - 1)).doesNotHaveDuplicates().hasSize(1260);
        }
    }
}
