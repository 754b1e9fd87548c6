package dev.edge.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A named upstream pool, {@code [upstream.<name>]} of a runtime config: the targets a {@code --proxy} route or a
 * kv-route value {@code upstream:<name>} spreads requests over.
 *
 * @param name           the pool's name
 * @param targets        {@code http(s)://host[:port][/base]}, at least one, each checked by {@link UpstreamUrl}
 * @param balance        how a target is chosen
 * @param hashOn         what {@link Balance#HASH} hashes: {@code header:<name>}, {@code cookie:<name>} or {@code path}
 * @param requestTimeout the upstream's whole answer must start within this (else 504)
 * @param ejectFor       how long a target that refused a connection is skipped (passive health)
 */
public record UpstreamPoolConfig(String name, List<URI> targets, Balance balance, Optional<String> hashOn,
                                 Duration requestTimeout, Duration ejectFor) {
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_EJECT_FOR = Duration.ofSeconds(10);

    public enum Balance { ROUND_ROBIN, LEAST_REQUEST, HASH }

    public UpstreamPoolConfig {
        targets = List.copyOf(targets);
    }
}
