package dev.edge.routes;

import dev.edge.config.HttpTrigger;
import java.util.List;
import java.util.Map;

/**
 * The trigger a request was routed to, with everything Spin tells the component about the match.
 *
 * @param trigger     the matched {@code [[trigger.http]]}
 * @param pathParams  {@code :name} segments by name, in route order
 * @param pathInfo    the wildcard remainder ({@code spin-path-info}); empty for exact and parameter routes
 * @param spinHeaders every {@code spin-*} header the component sees, lowercase names, no duplicates
 */
public record RouteMatch(
        HttpTrigger trigger,
        Map<String, String> pathParams,
        String pathInfo,
        List<Map.Entry<String, String>> spinHeaders) {

    public static final String HEADER_PREFIX = "spin-";

    public RouteMatch {
        pathParams = Map.copyOf(pathParams);
        spinHeaders = List.copyOf(spinHeaders);
    }

    /** Value of one of the {@link #spinHeaders}, or null. */
    public String spinHeader(String name) {
        for (Map.Entry<String, String> header : spinHeaders) {
            if (header.getKey().equals(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** {@code :path_segment} becomes {@code spin-path-match-path-segment}. */
    static String pathMatchHeader(String paramName) {
        return "spin-path-match-" + paramName.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
