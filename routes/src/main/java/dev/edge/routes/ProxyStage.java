package dev.edge.routes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reverse proxy to upstream HTTP servers ({@code --proxy}). Routes follow Spin's precedence among
 * themselves and are checked before the manifest's routes. Forwarding (streaming, headers, errors) is
 * {@link StreamingProxy}'s.
 */
public final class ProxyStage implements IngressStage {

    private record Target(RoutePattern pattern, ProxyRoute route) {}

    private final List<Target> targets;
    private final StreamingProxy proxy;

    public ProxyStage(List<ProxyRoute> routes, StreamingProxy proxy) {
        List<Target> sorted = new ArrayList<>();
        for (ProxyRoute route : routes) {
            sorted.add(new Target(RoutePattern.parse(route.route()), route));
        }
        sorted.sort(Comparator.comparing(Target::pattern, RoutePattern::compareSpecificity));
        this.targets = List.copyOf(sorted);
        this.proxy = proxy;
    }

    @Override
    public String name() { return "proxy"; }

    /** Pattern matching only. */
    @Override
    public boolean mayBlock() { return false; }

    @Override
    public Decision decide(IngressRequest head) {
        for (Target target : targets) {
            RoutePattern.PathMatch match = target.pattern().match(head.target().path());
            if (match != null) {
                return new Forward(proxy, target.route().upstream(), match.pathInfo());
            }
        }
        return PASS;
    }

    @Override
    public void close() {
        proxy.close();
    }
}
