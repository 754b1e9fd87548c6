package dev.edge.routes;

import dev.edge.wasm.GuestResponse;
import java.util.Optional;

/**
 * A step of the ingress pipeline that may answer a request before Spin routing does. Extension point
 * for routing that does not come from the manifest: the reverse proxy ({@link ProxyStage}) and
 * KV-aware routing plug in here. Stages run in order on a worker thread; the first answer wins.
 */
public interface IngressStage extends AutoCloseable {

    /** The response, or empty to pass the request on to the next stage. */
    Optional<GuestResponse> handle(IngressRequest request);

    /** Label for metrics and logs, e.g. {@code proxy}. */
    String name();

    @Override
    default void close() {}
}
