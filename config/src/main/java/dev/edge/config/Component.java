package dev.edge.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code [component.<id>]} table.
 *
 * @param id                   kebab-case component id
 * @param source               the {@code .wasm} file, absolute (resolved against the manifest's directory)
 * @param sourceDigest         {@code sha256:<hex>} when the manifest gave one; it is verified at load
 * @param keyValueStores       labels this component is granted
 * @param variables            component variables; values may hold {@code {{ app_var }}} templates
 * @param environment          environment variables the guest sees
 * @param files                read-only files and directories mounted into the guest
 * @param excludeFiles         globs removed from {@code files}
 * @param allowedOutboundHosts parsed outbound host patterns
 */
public record Component(
        String id,
        Path source,
        Optional<String> sourceDigest,
        List<String> keyValueStores,
        Map<String, String> variables,
        Map<String, String> environment,
        List<FileMount> files,
        List<String> excludeFiles,
        List<String> allowedOutboundHosts) {

    public Component {
        keyValueStores = List.copyOf(keyValueStores);
        variables = Map.copyOf(variables);
        environment = Map.copyOf(environment);
        files = List.copyOf(files);
        excludeFiles = List.copyOf(excludeFiles);
        allowedOutboundHosts = List.copyOf(allowedOutboundHosts);
    }

    /** This component with {@code extra} added to its environment, replacing same-named entries ({@code up -e}). */
    public Component withEnvironment(Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new java.util.LinkedHashMap<>(environment);
        merged.putAll(extra);
        return new Component(id, source, sourceDigest, keyValueStores, variables, merged, files, excludeFiles,
                allowedOutboundHosts);
    }
}
