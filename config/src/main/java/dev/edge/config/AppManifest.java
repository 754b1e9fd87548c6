package dev.edge.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
}
