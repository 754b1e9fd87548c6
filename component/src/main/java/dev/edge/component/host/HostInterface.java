package dev.edge.component.host;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One host-implemented interface, e.g. {@code wasi:io/streams} at version {@code 0.2.12}. Functions are
 * keyed by the name the component imports them under: {@code get-environment},
 * {@code [constructor]fields}, {@code [method]output-stream.write}, {@code [static]fields.from-list}.
 * {@code [resource-drop]R} is handled by the runtime (an {@link AutoCloseable} resource is closed), so it
 * needs no entry. An import matches when the name is equal and the version is semver-compatible
 * (same major, and same minor while the major is 0).
 */
public record HostInterface(String name, String version, Map<String, HostFunction> functions) {

    public HostInterface {
        functions = Map.copyOf(functions);
    }

    public static Builder builder(String name, String version) {
        return new Builder(name, version);
    }

    /** The versioned name as components import it, e.g. {@code wasi:io/streams@0.2.12}. */
    public String qualifiedName() {
        return name + "@" + version;
    }

    public static final class Builder {
        private final String name;
        private final String version;
        private final Map<String, HostFunction> functions = new LinkedHashMap<>();

        private Builder(String name, String version) {
            this.name = name;
            this.version = version;
        }

        public Builder function(String importName, HostFunction function) {
            if (functions.putIfAbsent(importName, function) != null) {
                throw new IllegalArgumentException(name + ": duplicate function " + importName);
            }
            return this;
        }

        public HostInterface build() {
            return new HostInterface(name, version, functions);
        }
    }
}
