package dev.edge.routes;

import dev.edge.wasm.GuestResponse;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Reverse proxy to upstream HTTP servers ({@code --proxy}). Routes follow Spin's precedence among
 * themselves and are checked before the manifest's routes. Forwarding (headers, errors, limits) is
 * {@link UpstreamForwarder}'s.
 */
public final class ProxyStage implements IngressStage {

    private record Target(RoutePattern pattern, URI upstream) {}

    private final List<Target> targets;
    private final UpstreamForwarder forwarder;

    public ProxyStage(List<ProxyRoute> routes, long maxResponseBody) {
        this(routes, maxResponseBody, Duration.ofSeconds(30));
    }

    public ProxyStage(List<ProxyRoute> routes, long maxResponseBody, Duration timeout) {
        this(routes, new UpstreamForwarder(maxResponseBody, timeout));
    }

    public ProxyStage(List<ProxyRoute> routes, UpstreamForwarder forwarder) {
        List<Target> sorted = new ArrayList<>();
        for (ProxyRoute route : routes) {
            sorted.add(new Target(RoutePattern.parse(route.route()), route.upstream()));
        }
        sorted.sort(Comparator.comparing(Target::pattern, RoutePattern::compareSpecificity));
        this.targets = List.copyOf(sorted);
        this.forwarder = forwarder;
    }

    @Override
    public String name() { return "proxy"; }

    @Override
    public Optional<GuestResponse> handle(IngressRequest request) {
        for (Target target : targets) {
            RoutePattern.PathMatch match = target.pattern().match(request.target().path());
            if (match != null) {
                return Optional.of(forwarder.forward(target.upstream(), match.pathInfo(), request));
            }
        }
        return Optional.empty();
    }

    static URI upstreamUri(URI upstream, String pathInfo, String query) {
        return UpstreamForwarder.upstreamUri(upstream, pathInfo, query);
    }
}
