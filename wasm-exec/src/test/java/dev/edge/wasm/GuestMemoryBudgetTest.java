package dev.edge.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Guest linear memory is bounded as a whole (issue 9): many instances that each grow to their own
 * {@code max_memory} cannot exhaust the heap together. The abuse runs in a forked JVM with a small
 * {@code -Xmx}, so an {@link OutOfMemoryError} there cannot hurt the test JVM.
 */
class GuestMemoryBudgetTest {

    @Test
    void sixteenMemoryHogsInA256MiBHeapGetTheirMemoryErrorNeverOutOfMemoryError() throws Exception {
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener", "-cp", System.getProperty("java.class.path"),
                MemoryAbuse.class.getName(), Guests.guest("memhog").toString(), "16")
                .redirectErrorStream(true).start();
        String output;
        try {
            assertThat(jvm.waitFor(120, TimeUnit.SECONDS)).as("forked JVM finished").isTrue();
        } finally {
            output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jvm.destroyForcibly();
        }
        assertThat(output).doesNotContain("OutOfMemoryError");
        assertThat(jvm.exitValue()).as(output).isZero();
        assertThat(output).contains("hello after abuse: 200");
        // Every hog was answered: it got its own memory error (malloc returned NULL below the cap, and it answered
        // 200), or, when the others held the whole shared budget as it started, the designed 503 that names the
        // budget (the guest never ran). Anything else (a trap, a 500, a lost answer) fails.
        List<String> hogs = output.lines().filter(l -> l.startsWith("hog: ")).toList();
        assertThat(hogs).as(output).hasSize(32).allSatisfy(l -> assertThat(l).matches(
                "hog: (200 allocated=.*|503 .*guest memory budget \\d+ MiB of \\d+ MiB used.*)"));
        assertThat(hogs).as("most hogs ran to their own memory error").filteredOn(l -> l.startsWith("hog: 200 "))
                .hasSizeGreaterThanOrEqualTo(16);
    }

    @Test
    void responseBuffersGrowOnlyWithinTheBodyBudget() throws Exception {
        MemoryBudget bodies = new MemoryBudget("body buffers", 256 * 1024);
        GuestLimits limits = new GuestLimits(32L << 20, Duration.ofSeconds(10), 1 << 20, 1 << 20, 2);
        dev.edge.kv.KeyValueFactor kv = new dev.edge.kv.KeyValueFactor("app", java.util.Map.of());
        try (DeadlineWatchdog watchdog = new DeadlineWatchdog();
             WasmHttpHandler handler = Guests.handler(Guests.guest("kvtest"), kv, Set.of(), limits,
                     ExecutorOptions.defaults().withBodyBuffers(bodies), watchdog)) {
            assertThat(handler.handle(Guests.request("GET", "/big/100000", "")).body()).hasSize(100_000);

            GuestResponse refused = handler.handle(Guests.request("GET", "/big/300000", ""));

            assertThat(refused.status()).isEqualTo(503);
            assertThat(Guests.header(refused, "retry-after")).isEqualTo("1");
            assertThat(bodies.used()).as("the refused request gave its buffer back").isLessThanOrEqualTo(64 * 1024);
            assertThat(handler.handle(Guests.request("GET", "/big/5", "")).body()).hasSize(5);
        }
    }

    /** The forked program: 16 concurrent memhog requests (twice), then a hello request. */
    static final class MemoryAbuse {
        public static void main(String[] args) throws Exception {
            Path memhog = Path.of(args[0]);
            int concurrency = Integer.parseInt(args[1]);
            GuestLimits limits = new GuestLimits(128L << 20, Duration.ofSeconds(60), 1 << 20, 1 << 20, 16);
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            try (DeadlineWatchdog watchdog = new DeadlineWatchdog();
                 WasmHttpHandler hog = Guests.handler(memhog, null, Set.of(), limits, ExecutorOptions.defaults(),
                         watchdog)) {
                for (int round = 0; round < 2; round++) {
                    List<Future<String>> answers = new ArrayList<>();
                    for (int i = 0; i < concurrency; i++) {
                        answers.add(pool.submit(() -> {
                            try {
                                GuestResponse r = hog.handle(Guests.request("GET", "/", ""));
                                return r.status() + " " + Guests.text(r);
                            } catch (GuestException e) {
                                return e.status() + " " + e.getMessage();
                            }
                        }));
                    }
                    for (Future<String> answer : answers) {
                        System.out.println("hog: " + answer.get());
                    }
                }
                try (WasmHttpHandler hello = Guests.handler(memhog.resolveSibling("hello.wasm"), null, Set.of(),
                        Guests.limits(Duration.ofSeconds(10)), ExecutorOptions.defaults(), watchdog)) {
                    System.out.println("hello after abuse: " + hello.handle(Guests.request("GET", "/", "")).status());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
