package dev.edge.component.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edge.component.TestComponents;
import dev.edge.config.KeyValueLimits;
import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KvRateLimits;
import dev.edge.kv.StoreLimits;
import dev.edge.kv.memory.InMemoryStoreBackend;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.ExecutorOptions;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key-value capability as a component sees it, through {@code kv-open.wat} (opens "default", reads "k";
 * status 200, or 460 + the open error's case, or 470 + the get error's case): grants, no stores at all, and
 * the application's rate limits, which answer 429 as they do for core modules.
 */
class ComponentKeyValueCapabilityTest {
    private static final int ACCESS_DENIED = 460 + 2;
    private static final int NO_SUCH_STORE = 460 + 1;

    @TempDir
    Path dir;

    private GuestResponse request(List<String> grants, KeyValueFactor keyValues) throws Exception {
        return requests(grants, keyValues, 1).get(0);
    }

    private List<GuestResponse> requests(List<String> grants, KeyValueFactor keyValues, int count) throws Exception {
        Path source = Files.write(dir.resolve("kv-open.wasm"), TestComponents.bytes("kv-open"));
        var component = new dev.edge.config.Component("kv", source, Optional.empty(), grants, Map.of(), Map.of(),
                List.of(), List.of(), List.of());
        List<GuestResponse> responses = new ArrayList<>();
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog();
             GuestHandler handler = ComponentHttpHandlers.load(component, dir, dir.resolve(".spin"), keyValues, Map.of(),
                     GuestLimits.defaults(), ExecutorOptions.defaults(), watchdog)) {
            for (int i = 0; i < count; i++) {
                responses.add(handler.handle(new GuestRequest("GET", "/", List.of(), new byte[0], "127.0.0.1:1",
                        "HTTP/1.1")));
            }
        }
        return responses;
    }

    private static KeyValueFactor memory(KvRateLimits rates) {
        return new KeyValueFactor("app", Map.of("default", new InMemoryStoreBackend()), StoreLimits.DEFAULT, rates);
    }

    @Test
    void aGrantedLabelOpensAndAnUngrantedOneIsAccessDenied() throws Exception {
        assertEquals(200, request(List.of("default"), memory(KvRateLimits.UNLIMITED)).status());
        assertEquals(ACCESS_DENIED, request(List.of("other"), memory(KvRateLimits.UNLIMITED)).status());
        assertEquals(ACCESS_DENIED, request(List.of(), memory(KvRateLimits.UNLIMITED)).status());
    }

    /** No key-value capability configured at all: open still answers inside the component rather than trapping. */
    @Test
    void withoutAnyStoresOpenIsAnErrorInsideTheComponent() throws Exception {
        assertEquals(ACCESS_DENIED, request(List.of(), null).status());
        assertEquals(NO_SUCH_STORE, request(List.of("default"), null).status());
    }

    /**
     * read_rps = 1: the first read of a period passes; a refused read is answered 429 with retry-after and an
     * empty body whatever the guest made of the error, as for core modules (WasmHttpHandler).
     */
    @Test
    void aRateLimitedCallIs429WithRetryAfter() throws Exception {
        List<GuestResponse> responses = requests(List.of("default"),
                memory(KvRateLimits.of("app", new KeyValueLimits(1, 0, 64, 64))), 5);
        assertEquals(200, responses.get(0).status());
        List<Integer> statuses = responses.stream().map(GuestResponse::status).toList();
        assertTrue(statuses.contains(429), statuses.toString());
        for (GuestResponse response : responses) {
            assertTrue(response.status() == 200 || response.status() == 429, statuses.toString());
            if (response.status() == 429) {
                assertEquals(List.of(Map.entry("retry-after", "1")), response.headers());
                assertEquals(0, response.body().length);
            }
        }
    }
}
