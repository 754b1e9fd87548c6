package dev.edge.config;

import java.util.Map;
import java.util.TreeSet;

/** Checks that a manifest and a runtime config fit together. */
public final class AppValidator {
    private AppValidator() {}

    /**
     * Fails when a component is granted a key-value label the runtime config does not define
     * ({@code default} is always defined).
     *
     * @throws ConfigException naming the manifest and {@code component.<id>.key_value_stores}
     */
    public static void validate(AppManifest manifest, RuntimeConfig runtime) {
        for (Map.Entry<String, Component> e : new java.util.TreeMap<>(manifest.components()).entrySet()) {
            for (String label : e.getValue().keyValueStores()) {
                if (!label.equals(RuntimeConfig.DEFAULT_LABEL) && !runtime.hasStore(label)) {
                    TreeSet<String> defined = new TreeSet<>(runtime.keyValueStores().keySet());
                    defined.add(RuntimeConfig.DEFAULT_LABEL);
                    throw new ConfigException(manifest.file(), "component." + e.getKey() + ".key_value_stores",
                            "unknown key_value_stores label '" + label + "'; define [key_value_store." + label
                                    + "] in the runtime config (defined labels: " + String.join(", ", defined) + ")");
                }
            }
        }
    }
}
