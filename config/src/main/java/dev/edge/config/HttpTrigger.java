package dev.edge.config;

import java.util.Optional;

/**
 * One {@code [[trigger.http]]} entry. Exactly one of {@code componentId} and {@code staticResponse}
 * is present. A private route ({@code route = { private = true }}) is never reachable over HTTP.
 *
 * @param route          the route as written, e.g. {@code /get/:key} or {@code /static/...}; empty when private
 * @param isPrivate      {@code route = { private = true }}
 * @param componentId    the component this trigger runs (an inline component gets a generated id)
 * @param staticResponse a fixed response served without running any guest
 * @param executor       how the component is invoked
 */
public record HttpTrigger(
        String route,
        boolean isPrivate,
        Optional<String> componentId,
        Optional<StaticResponse> staticResponse,
        Executor executor) {}
