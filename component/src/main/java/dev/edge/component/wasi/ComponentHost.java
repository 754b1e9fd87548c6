package dev.edge.component.wasi;

import dev.edge.component.spin.kv.KeyValueState;
import dev.edge.component.spin.variables.VariablesState;
import dev.edge.component.wasi.cli.CliState;
import dev.edge.component.wasi.filesystem.FilesystemState;
import dev.edge.component.wasi.http.HttpExchange;
import dev.edge.component.wasi.http.OutboundHttp;
import dev.edge.kv.KeyValueFactor;
import dev.edge.wasm.GuestOutputSink;
import dev.edge.wasm.GuestRequest;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link WasiHost}'s interfaces need for one component, fixed when it is loaded; {@link #newRequest}
 * makes the state of the fresh instance that serves one request.
 *
 * @param componentId     the manifest id (names log lines and variable errors)
 * @param environment     the component's {@code environment}
 * @param output          where stdout/stderr lines go ({@code ExecutorOptions.output})
 * @param filesRoot       {@code GuestFiles.root()}, or null when the component has no files
 * @param outbound        its outbound HTTP policy and client
 * @param keyValue        the app's stores, or null when it has none (every open is then access-denied)
 * @param grantedStores   the component's {@code key_value_stores}
 * @param variables       its resolved {@code variables}
 * @param maxResponseBody {@code [guest_limits] max_response_body}
 */
public record ComponentHost(
        String componentId,
        Map<String, String> environment,
        GuestOutputSink output,
        Path filesRoot,
        OutboundHttp outbound,
        KeyValueFactor keyValue,
        Set<String> grantedStores,
        Map<String, String> variables,
        long maxResponseBody) {

    private static final KeyValueFactor NO_STORES = new KeyValueFactor("", Map.of());

    public ComponentHost {
        Objects.requireNonNull(componentId, "componentId");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(outbound, "outbound");
        grantedStores = Set.copyOf(grantedStores);
        variables = Map.copyOf(variables);
    }

    /** The state of one instance serving {@code request}. */
    public InstanceHost newRequest(GuestRequest request) {
        KeyValueFactor stores = keyValue == null ? NO_STORES : keyValue;
        return new InstanceHost(Map.of(
                CliState.class, new CliState(componentId, environment, output),
                FilesystemState.class, new FilesystemState(filesRoot),
                HttpExchange.class, new HttpExchange(request, maxResponseBody),
                OutboundHttp.class, outbound,
                KeyValueState.class, new KeyValueState(stores.newStoreTable(grantedStores)),
                VariablesState.class, new VariablesState(componentId, variables)));
    }
}
