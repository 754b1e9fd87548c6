package dev.edge.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.KeyValueLimits;
import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.memory.InMemoryStoreBackend;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A key-value call refused by the app's rate limit turns the whole answer into 429 + Retry-After. */
class RateLimitedGuestTest {
    private static final String RIVER = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}";
    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();
    private final InMemoryStoreBackend backend = new InMemoryStoreBackend();

    @AfterEach
    void tearDown() {
        watchdog.close();
        backend.close();
    }

    private WasmHttpHandler tutorial(KeyValueLimits limits) throws Exception {
        KeyValueFactor kv = KeyValueFactor.withLimits("tutorial", Map.of("default", backend), limits);
        return Guests.handler(Guests.TUTORIAL, kv, Set.of("default"), Guests.limits(Duration.ofSeconds(10)),
                ExecutorOptions.defaults(), watchdog);
    }

    @Test
    void writeOverTheQuotaIs429WithRetryAfterWhateverTheGuestAnswered() throws Exception {
        try (WasmHttpHandler handler = tutorial(new KeyValueLimits(1000, 1, 8192, 1024))) {
            assertThat(handler.handle(Guests.request("POST", "/set/first", RIVER)).status()).isEqualTo(200);
            // the tutorial answers 500 on a key-value error; the client is told to retry instead
            GuestResponse limited = handler.handle(Guests.request("POST", "/set/second", RIVER));
            assertThat(limited.status()).isEqualTo(429);
            assertThat(Guests.header(limited, "retry-after")).isEqualTo("1");
            assertThat(limited.body()).isEmpty();
            KeyValueStore store = backend.open("tutorial", "default");
            assertThat(store.exists("first")).isTrue();
            assertThat(store.exists("second")).isFalse();
            // reads are not limited by the write quota; a request without a refused call is the guest's own answer
            GuestResponse read = handler.handle(Guests.request("GET", "/get/first", ""));
            assertThat(read.status()).isEqualTo(200);
            assertThat(Guests.text(read)).isEqualTo(RIVER);
            assertThat(handler.handle(Guests.request("GET", "/get/second", "")).status()).isEqualTo(404);
        }
    }

    @Test
    void readOverTheQuotaIs429Too() throws Exception {
        try (WasmHttpHandler handler = tutorial(new KeyValueLimits(2, 0, 8192, 1024))) {
            handler.handle(Guests.request("GET", "/get/a", ""));
            handler.handle(Guests.request("GET", "/get/b", ""));
            GuestResponse limited = handler.handle(Guests.request("GET", "/get/c", ""));
            assertThat(limited.status()).isEqualTo(429);
            assertThat(Guests.header(limited, "retry-after")).isEqualTo("1");
        }
    }
}
