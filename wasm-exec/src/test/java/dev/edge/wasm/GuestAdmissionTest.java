package dev.edge.wasm;

import static dev.edge.wasm.Guests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link GuestAdmission} with real guests: the sleep guest holds slots without using CPU. */
class GuestAdmissionTest {
    private static DeadlineWatchdog watchdog;
    private static ExecutorService clients;

    @BeforeAll
    static void start() {
        watchdog = new DeadlineWatchdog();
        clients = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        clients.shutdownNow();
        watchdog.close();
    }

    private static WasmHttpHandler load(String guest) throws WasmLoadException {
        return Guests.handler(Guests.guest(guest), null, Set.of(), Guests.limits(Duration.ofSeconds(20)),
                ExecutorOptions.defaults(), watchdog);
    }

    private static CompletableFuture<GuestResponse> call(GuestHandler handler, String uri) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return handler.handle(request("GET", uri, ""));
            } catch (GuestException e) {
                throw new IllegalStateException(e);
            }
        }, clients);
    }

    @Test
    void pastTheQueueBoundTheAnswerIs503WithRetryAfterAtOnce() throws Exception {
        GuestAdmission admission = new GuestAdmission(new GuestAdmission.Limits(2, 2, 2, Duration.ofSeconds(20)));
        try (WasmHttpHandler sleep = load("sleep")) {
            GuestHandler admitted = admission.admit(sleep);
            List<CompletableFuture<GuestResponse>> slow = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                slow.add(call(admitted, "/sleep/3000"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> admission.executing() == 2 && admission.waiting() == 2);

            GuestResponse refused = admitted.handle(request("GET", "/sleep/0", ""));

            assertThat(refused.status()).isEqualTo(503);
            assertThat(Guests.header(refused, "retry-after")).isEqualTo("1");
            assertThat(slow).as("refused while the slots were still busy, not after a wait").noneMatch(CompletableFuture::isDone);
            for (CompletableFuture<GuestResponse> f : slow) {
                assertThat(Guests.text(f.get())).isEqualTo("slept=3000"); // queued requests ran in turn
            }
        }
    }

    @Test
    void oneComponentsSlowGuestsCannotTakeEverySlot() throws Exception {
        GuestAdmission admission = new GuestAdmission(new GuestAdmission.Limits(3, 10, 2, Duration.ofSeconds(20)));
        try (WasmHttpHandler sleep = load("sleep"); WasmHttpHandler hello = load("hello")) {
            GuestHandler slow = admission.admit(sleep);
            GuestHandler fast = admission.admit(hello);
            List<CompletableFuture<GuestResponse>> flood = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                flood.add(call(slow, "/sleep/3000"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> admission.executing() == 2 && admission.waiting() == 4);

            GuestResponse answer = fast.handle(request("GET", "/fast", ""));

            assertThat(answer.status()).isEqualTo(200);
            assertThat(Guests.text(answer)).startsWith("hello GET /fast");
            assertThat(flood).as("served beside the slow component, not after it").noneMatch(CompletableFuture::isDone);
            for (CompletableFuture<GuestResponse> f : flood) {
                assertThat(f.get().status()).isEqualTo(200);
            }
        }
    }

    @Test
    void forMachineLeavesSlotsToOtherComponents() {
        assertThat(GuestAdmission.Limits.forMachine(2, 1, Duration.ofSeconds(5)))
                .isEqualTo(new GuestAdmission.Limits(4, 256, 4, Duration.ofSeconds(5)));
        assertThat(GuestAdmission.Limits.forMachine(16, 3, Duration.ofSeconds(5)))
                .isEqualTo(new GuestAdmission.Limits(32, 2048, 24, Duration.ofSeconds(5)));
    }
}
