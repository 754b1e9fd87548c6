package dev.edge.wasm;

import static dev.edge.wasm.Guests.request;
import static dev.edge.wasm.Guests.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.StoreBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compare-and-swap races between real guest instances (the kvtest guest), on every backend: concurrent
 * requests on one pooled handler (several instances of one component) and two handlers with their own
 * backend objects over the same data (two components, or two gateway nodes sharing a SQLite file or a Redis).
 */
class GuestCasRaceTest {
    private static final int ROUNDS = 20;

    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();
    private final String app = TestBackends.newAppName();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() throws Exception {
        pool.shutdownNow();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close(); // handlers before their stores
        }
        watchdog.close();
    }

    /** A handler on its own KeyValueFactor over {@code backend} (one component / one node). */
    private WasmHttpHandler node(StoreBackend backend) throws WasmLoadException {
        KeyValueFactor kv = new KeyValueFactor(app, Map.of("default", backend));
        closeables.add(kv);
        WasmHttpHandler handler = Guests.handler(Guests.guest("kvtest"), kv, Set.of("default"),
                Guests.limits(Duration.ofSeconds(20)), ExecutorOptions.defaults(), watchdog);
        closeables.add(handler);
        return handler;
    }

    /** Two nodes: separate backend objects over the same data (memory has no sharing but the object itself). */
    private List<WasmHttpHandler> twoNodes(String backendType) throws WasmLoadException {
        StoreBackend first = TestBackends.create(backendType, app, dir);
        StoreBackend second = TestBackends.MEMORY.equals(backendType) ? first : TestBackends.create(backendType, app, dir);
        return List.of(node(first), node(second));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite", "redis"})
    void concurrentInstancesOfOneComponentExactlyOneSwapWinsEachRound(String backendType) throws Exception {
        WasmHttpHandler handler = node(TestBackends.create(backendType, app, dir));
        List<String> winners = race(List.of(handler, handler, handler));
        assertThat(handler.instancesCreated()).as("the parties ran in separate instances").isGreaterThanOrEqualTo(3);
        assertFinalValue(handler, "race", winners.get(winners.size() - 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite", "redis"})
    void twoNodesOnTheSameStoreExactlyOneSwapWinsEachRound(String backendType) throws Exception {
        List<WasmHttpHandler> nodes = twoNodes(backendType);
        List<String> winners = race(List.of(nodes.get(0), nodes.get(1), nodes.get(0), nodes.get(1)));
        assertFinalValue(nodes.get(1), "race", winners.get(winners.size() - 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite", "redis"})
    void compareAndSwapIncrementsFromTwoNodesAreNeverLost(String backendType) throws Exception {
        List<WasmHttpHandler> nodes = twoNodes(backendType);
        int perParty = 25;
        List<Future<String>> answers = new ArrayList<>();
        for (WasmHttpHandler party : List.of(nodes.get(0), nodes.get(1), nodes.get(0), nodes.get(1))) {
            answers.add(pool.submit(() -> text(party.handle(request("POST", "/cas-inc", "", "x-key", "counter",
                    "x-count", String.valueOf(perParty))))));
        }
        for (Future<String> answer : answers) {
            assertThat(answer.get(60, TimeUnit.SECONDS)).endsWith("final=0\n");
        }
        assertFinalValue(nodes.get(0), "counter", String.valueOf(4 * perParty));
    }

    /**
     * Runs {@link #ROUNDS} rounds in which every party reads key "race", waits until all parties have read,
     * then tries to swap in "round-party". Checks the history: in every round each party read the previous
     * round's winner, exactly one swap won and every other swap got cas-failed (6). Returns the winners.
     */
    private List<String> race(List<WasmHttpHandler> parties) throws Exception {
        List<String> winners = new ArrayList<>();
        String previous = "<absent>";
        for (int round = 1; round <= ROUNDS; round++) {
            List<Future<String>> answers = new ArrayList<>();
            for (int p = 0; p < parties.size(); p++) {
                WasmHttpHandler party = parties.get(p);
                String value = round + "-" + p;
                String barrier = "barrier-" + round;
                answers.add(pool.submit(() -> text(party.handle(request("POST", "/cas-round", "", "x-key", "race",
                        "x-barrier", barrier, "x-parties", String.valueOf(parties.size()), "x-value", value)))));
            }
            List<String> won = new ArrayList<>();
            for (int p = 0; p < parties.size(); p++) {
                String answer = answers.get(p).get(60, TimeUnit.SECONDS);
                assertThat(answer).as("round %d party %d", round, p)
                        .startsWith("read=" + previous + "\nbarrier=ok\nswap=");
                if (answer.endsWith("swap=0\n")) {
                    won.add(round + "-" + p);
                } else {
                    assertThat(answer).as("round %d party %d", round, p).endsWith("swap=6\n");
                }
            }
            assertThat(won).as("winners of round %d", round).hasSize(1);
            previous = won.get(0);
            winners.add(previous);
        }
        return winners;
    }

    /** Reads {@code key} through a guest (a one-party round that writes the value back unchanged). */
    private void assertFinalValue(WasmHttpHandler handler, String key, String expected) throws Exception {
        String answer = text(handler.handle(request("POST", "/cas-round", "", "x-key", key,
                "x-barrier", "final-read", "x-parties", "1", "x-value", expected)));
        assertThat(answer).isEqualTo("read=" + expected + "\nbarrier=ok\nswap=0\n");
    }
}
