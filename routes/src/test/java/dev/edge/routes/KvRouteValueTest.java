package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.KeyTemplate;
import dev.edge.config.KvRouteConfig;
import dev.edge.config.OriginPattern;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing of the values a kv route reads (the HTTP behaviour is in {@link KvRouteStageTest}). */
class KvRouteValueTest {
    private static final KvRouteConfig ROUTE = new KvRouteConfig("/...", "default", KeyTemplate.parse("k"),
            Optional.empty(), List.of(OriginPattern.parse("http://10.0.0.5:*")),
            List.of(OriginPattern.parse("https://*.example.com")));

    private static KvRouteValue parse(String text) {
        return KvRouteValue.parse(text.getBytes(StandardCharsets.UTF_8), ROUTE);
    }

    @Test
    void recognisedValues() {
        assertThat(parse(" http://10.0.0.5:9000/v2\r\n")).isEqualTo(new KvRouteValue.Proxy(URI.create("http://10.0.0.5:9000/v2")));
        assertThat(parse("deny")).isEqualTo(new KvRouteValue.Deny());
        assertThat(parse("pass\n")).isEqualTo(new KvRouteValue.Pass());
        assertThat(parse("redirect:/x?y=1")).isEqualTo(new KvRouteValue.Redirect(302, "/x?y=1"));
        assertThat(parse("redirect:307:https://eu.example.com/a")).isEqualTo(new KvRouteValue.Redirect(307, "https://eu.example.com/a"));
    }

    @Test
    void aPoolIsAllowedWhenEveryTargetIs() {
        java.util.Map<String, List<URI>> pools = java.util.Map.of(
                "inside", List.of(URI.create("http://10.0.0.5:9000"), URI.create("http://10.0.0.5:9001/v1")),
                "partly", List.of(URI.create("http://10.0.0.5:9000"), URI.create("http://10.0.0.9:9000")));
        java.util.function.Function<String, Optional<List<URI>>> lookup = name -> Optional.ofNullable(pools.get(name));
        assertThat(KvRouteValue.parse("upstream:inside".getBytes(StandardCharsets.UTF_8), ROUTE, lookup))
                .isEqualTo(new KvRouteValue.Proxy(URI.create("upstream:inside")));
        assertThat(KvRouteValue.parse("upstream:partly".getBytes(StandardCharsets.UTF_8), ROUTE, lookup))
                .isEqualTo(new KvRouteValue.Refused("upstream pool 'partly' has target 'http://10.0.0.9:9000', not in allowed_upstreams"));
        assertThat(KvRouteValue.parse("upstream:nope".getBytes(StandardCharsets.UTF_8), ROUTE, lookup))
                .isEqualTo(new KvRouteValue.Refused("no upstream pool 'nope'"));
    }

    @Test
    void everythingElseIsRefusedWithAReason() {
        assertThat(parse("http://10.0.0.6:9000")).isInstanceOf(KvRouteValue.Refused.class);
        assertThat(parse("http://10.0.0.5:9000/?q=1")).isInstanceOf(KvRouteValue.Refused.class);
        assertThat(parse("http://10.0.0.5:9000/#f")).isInstanceOf(KvRouteValue.Refused.class);
        assertThat(parse("http://user@10.0.0.5:9000")).isInstanceOf(KvRouteValue.Refused.class);
        assertThat(parse("http://10.0.0.5:9000/a b")).isInstanceOf(KvRouteValue.Refused.class);
        assertThat(parse("Deny")).isInstanceOf(KvRouteValue.Refused.class);
        assertThat(parse("")).isInstanceOf(KvRouteValue.Refused.class);
        assertThat(parse("redirect:https://example.com/")).isInstanceOf(KvRouteValue.Refused.class); // not a subdomain
        assertThat(parse("redirect:javascript:alert(1)")).isInstanceOf(KvRouteValue.Refused.class);
        assertThat(parse("redirect:/a\r\nset-cookie: x=1")).isInstanceOf(KvRouteValue.Refused.class);
        assertThat(parse("redirect:300:/a")).isInstanceOf(KvRouteValue.Refused.class);
        assertThat(KvRouteValue.parse(new byte[] {(byte) 0xff, 'x'}, ROUTE))
                .isEqualTo(new KvRouteValue.Refused("value is not UTF-8 text"));
        KvRouteValue huge = parse("http://10.0.0.5/" + "a".repeat(KvRouteValue.MAX_VALUE_BYTES));
        assertThat(((KvRouteValue.Refused) huge).reason()).contains("at most " + KvRouteValue.MAX_VALUE_BYTES);
    }
}
