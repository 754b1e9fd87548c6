package dev.edge.config;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * One {@code [[kv_route]]} of the runtime config (edge extension): requests matching {@code route} are
 * routed by the value of {@code key} in the store {@code store}. See docs/kv-routing.md.
 *
 * @param route            Spin route syntax ({@code /api/...}, {@code /t/:tenant/...}, {@code /exact})
 * @param store            key-value store label; it is defined in the same runtime config (or is {@code default})
 * @param key              the key to read, filled from the request
 * @param defaultUpstream  where to proxy when the key is absent or the store fails; absent: pass on (key
 *                         absent) or 503 (store failure)
 * @param allowedUpstreams origins a value may proxy to; anything else is refused with 502
 * @param allowedRedirects origins an absolute {@code redirect:} value may point at (relative ones are always allowed)
 */
public record KvRouteConfig(
        String route,
        String store,
        KeyTemplate key,
        Optional<URI> defaultUpstream,
        List<OriginPattern> allowedUpstreams,
        List<OriginPattern> allowedRedirects) {

    public KvRouteConfig {
        allowedUpstreams = List.copyOf(allowedUpstreams);
        allowedRedirects = List.copyOf(allowedRedirects);
    }
}
