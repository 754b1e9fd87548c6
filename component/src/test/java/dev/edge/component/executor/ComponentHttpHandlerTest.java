package dev.edge.component.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edge.component.TestComponents;
import dev.edge.component.host.HostInterface;
import dev.edge.component.runtime.Component;
import dev.edge.component.runtime.ComponentLoadException;
import dev.edge.component.wasi.http.WasiHttp;
import dev.edge.component.wasi.io.WasiIo;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestException;
import dev.edge.wasm.GuestLimits;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** http-hello.wat (a wasi:http incoming handler) served through the component HTTP executor. */
class ComponentHttpHandlerTest {
    private static final DeadlineWatchdog WATCHDOG = new DeadlineWatchdog();
    private static Component hello;

    static List<HostInterface> hosts() {
        List<HostInterface> hosts = new ArrayList<>(WasiIo.interfaces());
        hosts.addAll(WasiHttp.interfaces());
        return hosts;
    }

    @BeforeAll
    static void load() throws ComponentLoadException {
        hello = Component.load(TestComponents.bytes("http-hello"), hosts(), 16L << 20);
    }

    @AfterAll
    static void stop() {
        WATCHDOG.close();
    }

    private static GuestLimits limits(long maxResponseBody) {
        return new GuestLimits(16L << 20, Duration.ofSeconds(10), 1 << 20, maxResponseBody, 1);
    }

    private static GuestRequest get(String path) {
        return new GuestRequest("GET", path, List.of(java.util.Map.entry("host", "localhost:3000")), new byte[0],
                "127.0.0.1:5000", "HTTP/1.1");
    }

    @Test
    void answersEveryRequestFromAFreshInstance() throws Exception {
        List<Object> seen = new ArrayList<>();
        ComponentHttpHandler handler = new ComponentHttpHandler("hello", hello,
                (request, context) -> seen.add(request.uri()), limits(1 << 20), WATCHDOG);
        for (String path : List.of("/a", "/b")) {
            GuestResponse response = handler.handle(get(path));
            assertEquals(200, response.status());
            assertEquals("hello from a component\n", new String(response.body(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("/a", "/b"), seen, "host states are made per request");
    }

    @Test
    void aResponseBodyPastTheLimitIsA500() throws Exception {
        ComponentHttpHandler handler = new ComponentHttpHandler("hello", hello, (request, context) -> { },
                limits(4), WATCHDOG);
        GuestException e = assertThrows(GuestException.class, () -> handler.handle(get("/")));
        // the host answers the write with an error; this guest, like most, traps on it
        assertEquals(GuestException.Reason.TRAP, e.reason());
        assertEquals(500, e.status());
    }

    @Test
    void anInstanceTheGuestBudgetCannotCoverIsA503LikeACoreModuleGuest() throws Exception {
        dev.edge.wasm.MemoryBudget budget = new dev.edge.wasm.MemoryBudget("guest memory", 32 << 10); // < 1 page
        Component starved = Component.load(TestComponents.bytes("http-hello"), hosts(), 16L << 20, null, budget);
        ComponentHttpHandler handler = new ComponentHttpHandler("hello", starved, (request, context) -> { },
                limits(1 << 20), WATCHDOG);
        dev.edge.wasm.GuestResponse response = handler.handle(get("/"));
        assertEquals(503, response.status());
        assertEquals(java.util.List.of(java.util.Map.entry("retry-after", "1")), response.headers(),
                "the guest never ran: the client may retry");
        assertEquals(0, budget.used());
        handler.close();
    }

    @Test
    void closingTheHandlerGivesItsIdleInstancesMemoryBack() throws Exception {
        dev.edge.wasm.MemoryBudget budget = new dev.edge.wasm.MemoryBudget("guest memory", 1 << 20);
        Component pooled = Component.load(TestComponents.bytes("http-hello"), hosts(), 16L << 20, null, budget);
        ComponentHttpHandler handler = new ComponentHttpHandler("hello", pooled, (request, context) -> { },
                limits(1 << 20), WATCHDOG);
        assertEquals(200, handler.handle(get("/")).status());
        assertTrue(budget.used() > 0, "the reset instance waits in the pool with its memory");
        handler.close(); // what retiring an app generation does
        assertEquals(0, budget.used());
    }

    @Test
    void aComponentWithoutAnIncomingHandlerIsALoadError() throws Exception {
        Component values = Component.load(TestComponents.bytes("values"), List.of(
                dev.edge.component.runtime.ComponentRuntimeTestHosts.values()), 16L << 20);
        ComponentLoadException e = assertThrows(ComponentLoadException.class,
                () -> new ComponentHttpHandler("values", values, (r, c) -> { }, limits(1 << 20), WATCHDOG));
        assertTrue(e.getMessage().startsWith("component exports no wasi:http/incoming-handler@0.2.x interface"),
                e.getMessage());
    }
}
