package dev.edge.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parses and validates the {@code [[kv_route]]} array of a runtime config. */
final class KvRouteLoader {
    private KvRouteLoader() {}

    static List<KvRouteConfig> load(Table root, Set<String> storeLabels) {
        if (!root.has("kv_route")) {
            return List.of();
        }
        if (root.raw("kv_route") instanceof Map) {
            throw root.error("kv_route", "expected an array of tables: write [[kv_route]], not [kv_route]");
        }
        List<Object> entries = root.optArray("kv_route").orElseThrow();
        List<KvRouteConfig> routes = new ArrayList<>();
        Map<String, String> shapes = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Table t = root.table(entries.get(i), root.fieldPath("kv_route") + "[" + i + "]");
            KvRouteConfig route = route(t, storeLabels);
            String previous = shapes.put(shape(route.route()), route.route());
            if (previous != null) {
                throw t.error("route", "route '" + route.route() + "' matches the same paths as the earlier kv_route '"
                        + previous + "'; give each path one kv_route");
            }
            routes.add(route);
        }
        return List.copyOf(routes);
    }

    private static KvRouteConfig route(Table t, Set<String> storeLabels) {
        t.allowOnly("route", "store", "key", "default_upstream", "allowed_upstreams", "allowed_redirects");
        String route = t.requireString("route");
        Set<String> params = routeParams(t, route);
        String store = t.optString("store").orElse(RuntimeConfig.DEFAULT_LABEL);
        if (!storeLabels.contains(store)) {
            throw t.error("store", "unknown key_value_store label '" + store + "'; defined labels: "
                    + String.join(", ", storeLabels.stream().sorted().toList()));
        }
        KeyTemplate key;
        try {
            key = KeyTemplate.parse(t.requireString("key"));
        } catch (IllegalArgumentException e) {
            throw t.error("key", e.getMessage());
        }
        for (KeyTemplate.Part part : key.parts()) {
            if (part.kind() == KeyTemplate.Kind.PARAM && !params.contains(part.text())) {
                throw t.error("key", "'{param." + part.text() + "}' is not a parameter of route '" + route + "'"
                        + (params.isEmpty() ? "" : " (parameters: " + String.join(", ", params) + ")"));
            }
            if (part.kind() == KeyTemplate.Kind.PATH_INFO && !route.replaceAll("/+$", "").endsWith("/...")) {
                throw t.error("key", "'{path_info}' needs a wildcard route ending in '/...'; '" + route + "' has none");
            }
        }
        Optional<URI> defaultUpstream = t.optString("default_upstream").map(u -> upstreamUrl(t, "default_upstream", u));
        if (!t.has("allowed_upstreams")) {
            throw t.error("allowed_upstreams", "missing required field: list the origins KV values may send requests"
                    + " to, e.g. [\"http://10.0.0.5:*\"] (use [] to allow none)");
        }
        List<OriginPattern> upstreams = origins(t, "allowed_upstreams");
        List<OriginPattern> redirects = origins(t, "allowed_redirects");
        return new KvRouteConfig(route, store, key, defaultUpstream, upstreams, redirects);
    }

    /** The route's {@code :name} parameters; fails unless the route is valid Spin route syntax. */
    private static Set<String> routeParams(Table t, String route) {
        if (!route.startsWith("/")) {
            throw t.error("route", "route '" + route + "' must start with '/'");
        }
        Set<String> params = new java.util.LinkedHashSet<>();
        String trimmed = route.replaceAll("/+$", ""); // a trailing '/' is ignored, as in Spin
        String[] segments = trimmed.isEmpty() ? new String[0] : trimmed.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.equals("...") && i != segments.length - 1) {
                throw t.error("route", "route '" + route + "': '...' is only allowed as the last segment");
            }
            if (segment.startsWith(":")) {
                String name = segment.substring(1);
                if (name.isEmpty()) {
                    throw t.error("route", "route '" + route + "': a parameter needs a name, e.g. ':tenant'");
                }
                if (!params.add(name)) {
                    throw t.error("route", "route '" + route + "': parameter ':" + name + "' appears twice");
                }
            }
        }
        return params;
    }

    /** Routes that match exactly the same paths have the same shape (parameter names and trailing '/' aside). */
    private static String shape(String route) {
        StringBuilder shape = new StringBuilder();
        for (String segment : route.split("/")) {
            if (!segment.isEmpty()) {
                shape.append('/').append(segment.startsWith(":") ? ":" : segment);
            }
        }
        return shape.length() == 0 ? "/" : shape.toString();
    }

    private static URI upstreamUrl(Table t, String field, String text) {
        try {
            return UpstreamUrl.parse(text);
        } catch (IllegalArgumentException e) {
            throw t.error(field, e.getMessage());
        }
    }

    private static List<OriginPattern> origins(Table t, String field) {
        List<String> texts = t.stringList(field);
        List<OriginPattern> patterns = new ArrayList<>(texts.size());
        Set<OriginPattern> seen = new HashSet<>();
        for (int i = 0; i < texts.size(); i++) {
            try {
                OriginPattern pattern = OriginPattern.parse(texts.get(i));
                if (seen.add(pattern)) {
                    patterns.add(pattern);
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(t.file(), t.fieldPath(field) + "[" + i + "]", e.getMessage());
            }
        }
        return patterns;
    }
}
