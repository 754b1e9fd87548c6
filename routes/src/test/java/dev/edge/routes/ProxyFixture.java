package dev.edge.routes;

import dev.edge.config.HttpTrigger;
import dev.edge.config.Executor;
import dev.edge.config.StaticResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The proxy tests' server: one {@link ProxyStage} in front of a manifest whose every path answers "from manifest". */
final class ProxyFixture {
    private ProxyFixture() {
    }

    static IngressServer serve(ProxyStage proxy, int port) throws Exception {
        List<HttpTrigger> triggers = List.of(new HttpTrigger("/...", false, Optional.empty(),
                Optional.of(new StaticResponse(200, Map.of(), "from manifest")), Executor.http()));
        SpinDispatcher dispatcher = new SpinDispatcher(new SpinRouter(triggers), Map.of(), List.of(proxy), "p", "1", null);
        return IngressServer.start("127.0.0.1", port, 1 << 20, dispatcher);
    }
}
