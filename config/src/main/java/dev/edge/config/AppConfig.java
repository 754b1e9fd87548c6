package dev.edge.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything an application needs before it can serve, loaded and cross-checked in one call: the
 * manifest, the runtime config (with {@code default} always defined) and the resolved variables.
 *
 * @param manifest  the validated {@code spin.toml}
 * @param runtime   the runtime config
 * @param variables application variables, resolved from the environment and defaults
 * @param stateDir  the state directory (absolute)
 */
public record AppConfig(AppManifest manifest, RuntimeConfig runtime, VariableResolver variables, Path stateDir) {
    /** Spin's default state directory, relative to the manifest's directory. */
    public static final String DEFAULT_STATE_DIR = ".spin";

    /**
     * Loads and validates an application as {@code spin up} would.
     *
     * @param manifestPath        {@code spin.toml}, or the directory holding it
     * @param runtimeConfigOrNull {@code runtime-config.toml}, or null
     * @param stateDirOrNull      state directory, or null for {@code .spin} next to the manifest
     * @param env                 environment for {@code SPIN_VARIABLE_*} / {@code EDGE_VARIABLE_*} (usually {@code System.getenv()})
     * @throws ConfigException naming the file, field and reason of the first problem found
     */
    public static AppConfig load(Path manifestPath, Path runtimeConfigOrNull, Path stateDirOrNull, Map<String, String> env) {
        AppManifest manifest = ManifestLoader.load(manifestPath);
        Path stateDir = (stateDirOrNull != null ? stateDirOrNull : manifest.baseDir().resolve(DEFAULT_STATE_DIR))
                .toAbsolutePath().normalize();
        RuntimeConfig runtime = RuntimeConfigLoader.load(runtimeConfigOrNull, stateDir);
        AppValidator.validate(manifest, runtime);
        VariableResolver variables = VariableResolver.resolve(manifest, env);
        // Templated outbound hosts can only be checked once variables have values, as spin up does.
        manifest.components().keySet().forEach(variables::allowedOutboundHosts);
        return new AppConfig(manifest, runtime, variables, stateDir);
    }
}
