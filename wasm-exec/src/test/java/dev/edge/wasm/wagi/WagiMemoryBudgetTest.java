package dev.edge.wasm.wagi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestResponse;
import dev.edge.wasm.MemoryBudget;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WAGI instances reserve their linear memory from the node's guest-memory budget like the HTTP executor's (issue 9). */
class WagiMemoryBudgetTest {
    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();
    private WagiHandler handler;

    @TempDir
    Path stateDir;

    @AfterEach
    void close() {
        if (handler != null) {
            handler.close();
        }
        watchdog.close();
    }

    private WagiHandler cgi(MemoryBudget budget) throws Exception {
        handler = WagiHandler.load(WagiGuests.component("cgi", WagiGuests.CGI, Map.of(), List.of(), List.of()),
                Executor.wagi(Executor.DEFAULT_WAGI_ARGV, Executor.DEFAULT_WAGI_ENTRYPOINT), WagiGuests.CGI.getParent(),
                stateDir, WagiGuests.limits(), (c, s, l) -> { }, watchdog, budget);
        return handler;
    }

    @Test
    void aRequestWhoseInstanceTheBudgetCannotCoverGets503WithRetryAfter() throws Exception {
        MemoryBudget budget = new MemoryBudget("guest memory", 64 * 1024); // one page: less than the module needs
        GuestResponse response = cgi(budget).handle(WagiGuests.Req.get("/").mode("env").build());

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.headers()).anyMatch(h -> h.getKey().equalsIgnoreCase("retry-after"));
        assertThat(budget.used()).isZero();
    }

    @Test
    void eachRequestsMemoryIsReservedWhileItRunsAndGivenBackAfter() throws Exception {
        MemoryBudget budget = new MemoryBudget("guest memory", 64L << 20);
        GuestResponse response = cgi(budget).handle(WagiGuests.Req.get("/").mode("env").build());

        assertThat(response.status()).isEqualTo(200);
        assertThat(budget.used()).isZero();
    }
}
