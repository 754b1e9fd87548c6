package dev.edge.routes;

import dev.edge.wasm.GuestResponse;
import java.net.URI;

/**
 * A step of the ingress pipeline that may take a request before Spin routing does. Extension point for routing
 * that does not come from the manifest: the reverse proxy ({@link ProxyStage}) and KV-aware routing
 * ({@link KvRouteStage}). Stages decide from the request head alone, before the body is read (so a forwarded body
 * is streamed, never buffered), in order, on a worker thread (on the IO thread if none {@link #mayBlock}); the first decision other than {@link Pass} wins.
 */
public interface IngressStage extends AutoCloseable {

    /** What this stage does with the request; {@code head} has an empty body. */
    Decision decide(IngressRequest head);

    /** False if {@link #decide} never blocks: it may then run on the IO thread, saving a thread hop. */
    default boolean mayBlock() {
        return true;
    }

    /** Label for metrics and logs, e.g. {@code proxy}. */
    String name();

    @Override
    default void close() {}

    sealed interface Decision permits Pass, Answer, Forward {}

    /** Not this stage's: the next stage, then Spin routing, decides. */
    record Pass() implements Decision {}

    /** Answer with {@code response} (once the request body has been read and dropped). */
    record Answer(GuestResponse response) implements Decision {}

    /** Stream the request to {@code upstream} + {@code pathInfo} + the query, through {@code proxy}. */
    record Forward(StreamingProxy proxy, URI upstream, String pathInfo) implements Decision {}

    Decision PASS = new Pass();
}
