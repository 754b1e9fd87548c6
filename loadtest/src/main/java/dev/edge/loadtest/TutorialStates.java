package dev.edge.loadtest;

import dev.edge.component.executor.ComponentHttpHandler;
import dev.edge.component.spin.kv.KeyValueState;
import dev.edge.component.spin.variables.VariablesState;
import dev.edge.component.wasi.cli.CliState;
import dev.edge.component.wasi.filesystem.FilesystemState;
import dev.edge.component.wasi.http.OutboundHttp;
import dev.edge.component.wasi.http.OutboundPolicy;
import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.StoreBackend;
import dev.edge.wasm.GuestOutputSink;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host state the tutorial component needs per request, for the in-process tools: its "default" store on
 * {@code backend}, no files, no variables, no allowed outbound hosts.
 */
final class TutorialStates {
    private TutorialStates() {
    }

    static ComponentHttpHandler.States on(StoreBackend backend) {
        KeyValueFactor stores = new KeyValueFactor("hello", Map.of("default", backend));
        OutboundHttp outbound = new OutboundHttp(new OutboundPolicy(List.of()), OutboundHttp.defaultClient(), null, 1 << 20);
        return (request, context) -> {
            context.with(new CliState("hello", Map.of(), GuestOutputSink.slf4j()));
            context.with(FilesystemState.none());
            context.with(new KeyValueState(stores.newStoreTable(Set.of("default"))));
            context.with(new VariablesState("hello", Map.of()));
            context.with(outbound);
        };
    }
}
