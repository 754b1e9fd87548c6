package dev.edge.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reverse proxy's settings in a runtime config, shared by every kind of proxying.
 *
 * @param trustForwarded {@code [proxy] trust_forwarded}: peers whose {@code X-Forwarded-*} and {@code Forwarded}
 *                       headers are believed (another proxy in front of edge); empty (the default) believes no one
 * @param upstreams      {@code [upstream.<name>]}: named pools, by name
 */
public record ProxyConfig(List<CidrBlock> trustForwarded, Map<String, UpstreamPoolConfig> upstreams) {
    public static final ProxyConfig DEFAULTS = new ProxyConfig(List.of(), Map.of());

    public ProxyConfig {
        trustForwarded = List.copyOf(trustForwarded);
        upstreams = Map.copyOf(upstreams);
    }

    public Optional<UpstreamPoolConfig> upstream(String name) {
        return Optional.ofNullable(upstreams.get(name));
    }
}
