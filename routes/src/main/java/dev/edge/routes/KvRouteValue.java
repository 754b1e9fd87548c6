package dev.edge.routes;

import dev.edge.config.KvRouteConfig;
import dev.edge.config.OriginPattern;
import dev.edge.config.UpstreamUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What a kv route does with one value read from the store, decided once per distinct value:
 * <ul>
 *   <li>{@code http(s)://host[:port][/base]}: reverse-proxy there, if {@code allowed_upstreams} allows it;</li>
 *   <li>{@code upstream:<name>}: reverse-proxy to that {@code [upstream.<name>]} pool, if {@code allowed_upstreams}
 *       allows every one of its targets;</li>
 *   <li>{@code redirect:<location>} (302) or {@code redirect:<301|302|303|307|308>:<location>}: a
 *       relative location ({@code /path}) always, an absolute one if {@code allowed_redirects} allows it;</li>
 *   <li>{@code deny}: 403;</li>
 *   <li>{@code pass}: not routed here; the request goes on to the next stage and the manifest's routes.</li>
 * </ul>
 * Anything else, or a target outside the allow-list, is {@link Refused} (the gateway answers 502).
 * Surrounding whitespace is ignored.
 */
sealed interface KvRouteValue {
    /** Values longer than this are refused without parsing: no routing value needs more. */
    int MAX_VALUE_BYTES = 8192;
    Set<Integer> REDIRECT_STATUSES = Set.of(301, 302, 303, 307, 308);

    record Proxy(URI upstream) implements KvRouteValue {}

    record Redirect(int status, String location) implements KvRouteValue {}

    record Deny() implements KvRouteValue {}

    record Pass() implements KvRouteValue {}

    /** @param reason why, for the log (never shown to clients) */
    record Refused(String reason) implements KvRouteValue {}

    /** Without pools: an {@code upstream:<name>} value is refused. */
    static KvRouteValue parse(byte[] raw, KvRouteConfig route) {
        return parse(raw, route, name -> Optional.empty());
    }

    /** @param pools the configured pools' targets, by name */
    static KvRouteValue parse(byte[] raw, KvRouteConfig route, Function<String, Optional<List<URI>>> pools) {
        if (raw.length > MAX_VALUE_BYTES) {
            return new Refused("value is " + raw.length + " bytes; a routing value is at most " + MAX_VALUE_BYTES);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString().strip();
        } catch (CharacterCodingException e) {
            return new Refused("value is not UTF-8 text");
        }
        if (text.equals("deny")) {
            return new Deny();
        }
        if (text.equals("pass")) {
            return new Pass();
        }
        if (text.startsWith("redirect:")) {
            return redirect(text.substring("redirect:".length()), route);
        }
        if (text.startsWith("http://") || text.startsWith("https://")) {
            return upstream(text, route);
        }
        if (text.startsWith(StreamingProxy.POOL_SCHEME + ":")) {
            return pool(text.substring(StreamingProxy.POOL_SCHEME.length() + 1), route, pools);
        }
        return new Refused("value '" + shorten(text) + "' is not an upstream URL, redirect:<url>, deny or pass");
    }

    private static KvRouteValue upstream(String text, KvRouteConfig route) {
        URI uri;
        try {
            uri = UpstreamUrl.parse(text);
        } catch (IllegalArgumentException e) {
            return new Refused("upstream " + e.getMessage());
        }
        if (!OriginPattern.anyMatches(route.allowedUpstreams(), uri)) {
            return new Refused("upstream '" + shorten(text) + "' is not in allowed_upstreams");
        }
        return new Proxy(uri);
    }

    /** A pool is under {@code allowed_upstreams} when every one of its targets is. */
    private static KvRouteValue pool(String name, KvRouteConfig route, Function<String, Optional<List<URI>>> pools) {
        Optional<List<URI>> targets = pools.apply(name);
        if (targets.isEmpty()) {
            return new Refused("no upstream pool '" + shorten(name) + "'");
        }
        for (URI target : targets.get()) {
            if (!OriginPattern.anyMatches(route.allowedUpstreams(), target)) {
                return new Refused("upstream pool '" + name + "' has target '" + target + "', not in allowed_upstreams");
            }
        }
        return new Proxy(StreamingProxy.poolReference(name));
    }

    private static KvRouteValue redirect(String spec, KvRouteConfig route) {
        int status = 302;
        if (spec.length() > 4 && spec.charAt(3) == ':' && Character.isDigit(spec.charAt(0))) {
            String code = spec.substring(0, 3);
            if (!code.chars().allMatch(Character::isDigit) || !REDIRECT_STATUSES.contains(Integer.parseInt(code))) {
                return new Refused("redirect status '" + code + "' is not one of 301, 302, 303, 307, 308");
            }
            status = Integer.parseInt(code);
            spec = spec.substring(4);
        }
        if (spec.isEmpty() || spec.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return new Refused("redirect location is empty or has control characters");
        }
        URI location;
        try {
            location = new URI(spec);
        } catch (URISyntaxException e) {
            return new Refused("redirect location '" + shorten(spec) + "' is not a valid URL: " + e.getReason());
        }
        if (location.getScheme() == null && location.getRawAuthority() == null) {
            // Browsers read "/\host" as "//host": a relative location must be a plain absolute path.
            if (!spec.startsWith("/") || spec.startsWith("//") || spec.contains("\\")) {
                return new Refused("relative redirect location must start with a single '/'");
            }
            return new Redirect(status, spec);
        }
        String scheme = location.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || location.getHost() == null || location.getRawUserInfo() != null) {
            return new Refused("redirect location '" + shorten(spec) + "' must be /path or an http(s) URL with a host");
        }
        if (!OriginPattern.anyMatches(route.allowedRedirects(), location)) {
            return new Refused("redirect location '" + shorten(spec) + "' is not in allowed_redirects");
        }
        return new Redirect(status, spec);
    }

    private static String shorten(String text) {
        String clean = text.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() <= 100 ? clean : clean.substring(0, 100) + "...";
    }
}
