package dev.edge.wasm;

import static dev.edge.wasm.Guests.request;
import static dev.edge.wasm.Guests.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.StoreBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GuestHandler#tryInline}: a guest runs on the calling (IO) thread only while every host call is a pure read
 * that needs no waiting; the first call that might block or has an effect outside the instance (a near-cache miss,
 * a write, guest output) or the end of the CPU budget abandons the run with no effect, and {@link GuestHandler#handle}
 * then runs the request from the start (issue 9 item 4).
 */
class InlineRunTest {
    private static final String RS = "{\"firstName\":\"River\",\"lastName\":\"Scott\"}";

    @TempDir
    Path stateDir;

    private final DeadlineWatchdog watchdog = new DeadlineWatchdog(Duration.ofMillis(50));
    private final List<String> output = new CopyOnWriteArrayList<>();
    private KeyValueFactor kv;
    private KeyValueStore store;
    private WasmHttpHandler handler;

    @AfterEach
    void tearDown() {
        if (handler != null) {
            handler.close();
        }
        if (kv != null) {
            kv.close();
        }
        watchdog.close();
    }

    private String app;

    private WasmHttpHandler tutorial(String backendKind) throws Exception {
        app = TestBackends.newAppName();
        StoreBackend backend = TestBackends.create(backendKind, app, stateDir);
        kv = new KeyValueFactor(app, Map.of("default", backend));
        store = backend.open(app, "default");
        handler = Guests.handler(Guests.TUTORIAL, kv, Set.of("default"), Guests.limits(Duration.ofSeconds(10)),
                ExecutorOptions.defaults(), watchdog);
        return handler;
    }

    private GuestResponse setRs() throws GuestException {
        return handler.handle(request("POST", "/set/rs", "{\"firstName\": \"River\", \"lastName\": \"Scott\"}",
                "content-type", "application/json"));
    }

    @Test
    void aReadTheStoreAnswersWithoutWaitingRunsInline() throws Exception {
        tutorial(TestBackends.MEMORY);
        setRs();

        GuestResponse get = handler.tryInline(request("GET", "/get/rs", ""));

        assertThat(get).isNotNull();
        assertThat(get.status()).isEqualTo(200);
        assertThat(text(get)).isEqualTo(RS);
    }

    @Test
    void aWriteAbandonsTheInlineRunBeforeItsEffectAndTheRerunWritesOnce() throws Exception {
        tutorial(TestBackends.MEMORY);

        GuestResponse inline = handler.tryInline(request("POST", "/set/rs",
                "{\"firstName\": \"River\", \"lastName\": \"Scott\"}", "content-type", "application/json"));

        assertThat(inline).isNull();
        assertThat(store.get("rs")).isEmpty();
        assertThat(setRs().status()).isEqualTo(200);
        assertThat(store.get("rs").map(v -> new String(v, StandardCharsets.UTF_8))).contains(RS);
    }

    @Test
    void redisReadsRunInlineOnANearCacheHitOnly() throws Exception {
        tutorial(TestBackends.REDIS);
        // Written by another node: a key this node wrote stays dirty (read from the primary, uncached) for a while.
        StoreBackend otherNode = TestBackends.create(TestBackends.REDIS, app, stateDir);
        try {
            otherNode.open(app, "default").set("rs", RS.getBytes(StandardCharsets.UTF_8));
        } finally {
            otherNode.close();
        }

        // Never read here yet: a near-cache miss must wait on Redis, so the run goes to a worker.
        assertThat(handler.tryInline(request("GET", "/get/rs", ""))).isNull();
        assertThat(text(handler.handle(request("GET", "/get/rs", "")))).isEqualTo(RS);

        GuestResponse hit = handler.tryInline(request("GET", "/get/rs", ""));
        assertThat(hit).isNotNull();
        assertThat(text(hit)).isEqualTo(RS);
    }

    @Test
    void sqliteReadsNeverRunInline() throws Exception {
        tutorial(TestBackends.SQLITE);
        setRs();

        assertThat(handler.tryInline(request("GET", "/get/rs", ""))).isNull();
        assertThat(text(handler.handle(request("GET", "/get/rs", "")))).isEqualTo(RS);
    }

    @Test
    void guestOutputAbandonsTheInlineRunAndIsWrittenOnceByTheRerun() throws Exception {
        handler = Guests.handler(Guests.guest("hello"), null, Set.of(), Guests.limits(Duration.ofSeconds(10)),
                ExecutorOptions.defaults().withOutput((component, stream, line) -> output.add(line)), watchdog);

        assertThat(handler.tryInline(request("GET", "/x", ""))).isNull();
        assertThat(output).isEmpty();
        assertThat(handler.handle(request("GET", "/x", "")).status()).isEqualTo(200);
        assertThat(output).containsExactly("hello guest served /x");
    }

    @Test
    void aGuestPastItsCpuBudgetIsAbandonedAndTheThreadIsLeftUninterrupted() throws Exception {
        handler = Guests.handler(Guests.guest("loop"), null, Set.of(), Guests.limits(Duration.ofSeconds(10)),
                ExecutorOptions.defaults(), watchdog);
        int created = handler.instancesCreated();

        assertThat(handler.tryInline(request("GET", "/", ""))).isNull();

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(handler.idleInstances()).isZero(); // the interrupted instance was discarded, not pooled
        assertThat(handler.instancesCreated()).isEqualTo(created);
    }

    @Test
    void aComponentThatKeepsBlockingStopsTryingInlineMostOfTheTime() throws Exception {
        tutorial(TestBackends.SQLITE);
        setRs();
        int before = handler.instancesCreated();
        for (int i = 0; i < 60; i++) {
            assertThat(handler.tryInline(request("GET", "/get/rs", ""))).isNull();
        }
        // Each abandoned run discards its instance: only the first few of the 60 attempts ran at all.
        assertThat(handler.instancesCreated() - before).isLessThanOrEqualTo(4);
    }

    @Test
    void inlineRunsTakeNoAdmissionSlotSoSlowGuestsHoldingEverySlotDoNotStopThem() throws Exception {
        tutorial(TestBackends.MEMORY);
        setRs();
        GuestAdmission admission = new GuestAdmission(new GuestAdmission.Limits(1, 4, 1, Duration.ofSeconds(1)));
        GuestHandler admitted = admission.admit(handler);
        GuestHandler slow = admission.admit(new GuestHandler() {
            @Override public String componentId() { return "slow"; }
            @Override public GuestResponse handle(GuestRequest r) throws GuestException {
                assertThat(admission.executing()).isEqualTo(1); // this holds the only slot
                return admitted.tryInline(request("GET", "/get/rs", ""));
            }
            @Override public void close() {}
        });

        GuestResponse inline = slow.handle(request("GET", "/", ""));

        assertThat(inline).isNotNull();
        assertThat(text(inline)).isEqualTo(RS);
    }
}
