package dev.edge.gateway;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that say which app to load, shared by {@code up} and {@code check} (a picocli mixin). */
final class AppSourceOptions {

    @Option(names = {"-f", "--from"}, paramLabel = "<spin.toml>", defaultValue = "spin.toml",
            description = "The application manifest (or a directory holding spin.toml). Default: ${DEFAULT-VALUE}")
    Path from;

    @Option(names = "--state-dir", paramLabel = "<dir>",
            description = "Where the default key-value store lives. Default: .spin beside the manifest")
    Path stateDir;

    @Option(names = "--runtime-config-file", paramLabel = "<file>",
            description = "runtime-config.toml with [key_value_store.<label>] sections")
    Path runtimeConfigFile;
}
