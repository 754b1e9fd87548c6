package dev.edge.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable, validated {@code spin.toml} (manifest version 2).
 *
 * @param file        the manifest file, absolute
 * @param application the {@code [application]} table
 * @param variables   the {@code [variables]} table, by lower_snake_case name
 * @param triggers    {@code [[trigger.http]]} entries in declaration order
 * @param components  {@code [component.<id>]} tables (inline trigger components included), by id
 */
public record AppManifest(
        Path file,
        Application application,
        Map<String, VariableDecl> variables,
        List<HttpTrigger> triggers,
        Map<String, Component> components) {

    public AppManifest {
        variables = Map.copyOf(variables);
        triggers = List.copyOf(triggers);
        components = Map.copyOf(components);
    }

    /** The directory relative paths in the manifest resolve against. */
    public Path baseDir() {
        return file.getParent();
    }

    public Optional<Component> component(String id) {
        return Optional.ofNullable(components.get(id));
    }

    /**
     * Public routes declared more than once, normalized the way the router compares them (a trailing
     * {@code /} stripped), in order of first declaration. Spin keeps such triggers: the last one wins and
     * the router logs an error; this helper lets the caller report them.
     */
    public List<String> duplicateRoutes() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (HttpTrigger t : triggers) {
            if (!t.isPrivate()) {
                counts.merge(normalizeRoute(t.route()), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    }

    /** A route with any trailing {@code /} removed ({@code /} itself stays {@code /}). */
    public static String normalizeRoute(String route) {
        String r = route;
        while (r.length() > 1 && r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }
}
