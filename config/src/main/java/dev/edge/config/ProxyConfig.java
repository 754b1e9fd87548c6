package dev.edge.config;

import java.util.List;

/**
 * {@code [proxy]} of a runtime config: settings shared by every kind of reverse proxying.
 *
 * @param trustForwarded peers whose {@code X-Forwarded-*} and {@code Forwarded} headers are believed (another
 *                       proxy in front of edge); empty (the default) believes no one
 */
public record ProxyConfig(List<CidrBlock> trustForwarded) {
    public static final ProxyConfig DEFAULTS = new ProxyConfig(List.of());

    public ProxyConfig {
        trustForwarded = List.copyOf(trustForwarded);
    }
}
