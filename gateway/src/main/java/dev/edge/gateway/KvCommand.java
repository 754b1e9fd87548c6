package dev.edge.gateway;

import dev.edge.config.AppConfig;
import dev.edge.config.AppManifest;
import dev.edge.config.AppValidator;
import dev.edge.config.ConfigException;
import dev.edge.config.KvStoreConfig;
import dev.edge.config.ManifestLoader;
import dev.edge.config.RuntimeConfig;
import dev.edge.config.RuntimeConfigLoader;
import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.StoreBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code edge kv get|set|delete|list}: an operator reads and writes the keys an application's components see
 * (same store config, same Redis namespace, same SQLite file, same size limits), while {@code edge up} runs or
 * not. It opens only the one store it is asked for, starts no listener, compiles nothing and claims no file.
 * Redis is used through the primary only (no replica, no near-cache), so a read shows the latest write.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
        description = "Read and write an application's key-value stores, as its components see them.")
public final class KvCommand implements Runnable {
    /** Keys per listing page: bounds memory, not the number of keys listed. */
    static final int LIST_PAGE = 1000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing required subcommand: get, set, delete or list (try 'edge kv --help')");
    }

    static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
        return new CommandLine(new KvCommand())
                .addSubcommand(new CommandLine(new Get(out, err)))
                .addSubcommand(new CommandLine(new Set(in, out, err)))
                .addSubcommand(new CommandLine(new Delete(out, err)))
                .addSubcommand(new CommandLine(new ListKeys(out, err)));
    }

    /** What every {@code edge kv} subcommand shares: which app and store, and the one-line errors. */
    abstract static class Operation implements Callable<Integer> {
        @Mixin
        AppSourceOptions source = new AppSourceOptions();

        @Option(names = "--app", paramLabel = "<name>",
                description = "Whose keys (the Redis namespace; a SQLite file must belong to it)."
                        + " Default: the manifest's application name")
        String app;

        @Option(names = "--store", paramLabel = "<label>", defaultValue = RuntimeConfig.DEFAULT_LABEL,
                description = "The store label: 'default' or a [key_value_store.<label>] of the runtime config."
                        + " Default: ${DEFAULT-VALUE}")
        String store;

        final PrintStream out;
        final PrintStream err;

        Operation(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        /** Runs on the opened store; returns the exit code. */
        abstract int run(KeyValueStore kv, String appName) throws IOException;

        @Override
        public Integer call() {
            try {
                AppManifest manifest = ManifestLoader.load(source.from);
                Path stateDir = (source.stateDir != null ? source.stateDir
                        : manifest.baseDir().resolve(AppConfig.DEFAULT_STATE_DIR)).toAbsolutePath().normalize();
                RuntimeConfig runtime = RuntimeConfigLoader.load(source.runtimeConfigFile, stateDir);
                AppValidator.validate(manifest, runtime);
                String appName = app != null ? app : manifest.application().name();
                KvStoreConfig config = storeConfig(runtime, stateDir);
                StoreBackend backend = KeyValueBackends.open(store, config, stateDir, appName, new SimpleMeterRegistry());
                // the app's [key_value_limits] apply, so a key set here is one its components can read
                try (KeyValueFactor factor = KeyValueFactor.withLimits(appName, Map.of(store, backend),
                        runtime.keyValueLimits())) {
                    return run(factor.openStore(store), appName);
                }
            } catch (ConfigException e) {
                err.println(e.getMessage());
            } catch (KvException | IllegalStateException | IllegalArgumentException e) {
                err.println("Error: " + e.getMessage());
            } catch (IOException e) {
                err.println("Error: " + e.getMessage());
            }
            return 1;
        }

        private KvStoreConfig storeConfig(RuntimeConfig runtime, Path stateDir) {
            Optional<KvStoreConfig> configured = runtime.store(store);
            if (configured.isEmpty() && store.equals(RuntimeConfig.DEFAULT_LABEL)) {
                configured = Optional.of(RuntimeConfig.defaultStore(stateDir));
            }
            if (configured.isEmpty()) {
                java.util.Set<String> labels = new TreeSet<>(runtime.keyValueStores().keySet());
                labels.add(RuntimeConfig.DEFAULT_LABEL);
                throw new IllegalArgumentException("no key-value store '" + store + "': the labels are "
                        + String.join(", ", labels) + " ('default' and the runtime config's [key_value_store.<label>])");
            }
            if (configured.get() instanceof KvStoreConfig.Memory) {
                throw new IllegalArgumentException("store '" + store + "' is of type \"memory\": its keys live inside"
                        + " the running gateway only; use /kv/ on its admin listener (--admin-token-file) instead");
            }
            if (configured.get() instanceof KvStoreConfig.Redis redis) {
                // The primary only: what the fleet's components will read once replicas catch up, and at once
                // what a read right after a write here returns. WAIT (wait_replicas) still applies to writes.
                return new KvStoreConfig.Redis(redis.url(), Optional.empty(), redis.region(), 0,
                        redis.nearCacheMaxTtl(), redis.commandTimeout(), redis.atomicTimeout(), redis.waitReplicas(),
                        redis.waitTimeout());
            }
            return configured.get();
        }

        String where(String appName) {
            return "store '" + store + "' of app '" + appName + "'";
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Write a key's value, as raw bytes, to stdout; exit 1 if the key is absent.")
    static final class Get extends Operation {
        @Parameters(index = "0", paramLabel = "<key>")
        String key;

        Get(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        int run(KeyValueStore kv, String appName) {
            Optional<byte[]> value = kv.get(key);
            if (value.isEmpty()) {
                err.println("Error: no key '" + key + "' in " + where(appName));
                return 1;
            }
            out.write(value.get(), 0, value.get().length);
            out.flush();
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Set a key to a value given as an argument (UTF-8), or read from --value-file (raw bytes).")
    static final class Set extends Operation {
        @Parameters(index = "0", paramLabel = "<key>")
        String key;

        @Parameters(index = "1", arity = "0..1", paramLabel = "<value>")
        String value;

        @Option(names = "--value-file", paramLabel = "<file>",
                description = "Read the value's bytes from this file; '-' reads stdin.")
        String valueFile;

        private final InputStream in;

        Set(InputStream in, PrintStream out, PrintStream err) {
            super(out, err);
            this.in = in;
        }

        @Override
        public Integer call() {
            if ((value == null) == (valueFile == null)) {
                err.println("Error: give the value either as an argument or with --value-file (- for stdin), not "
                        + (value == null ? "neither" : "both"));
                return 1;
            }
            return super.call();
        }

        @Override
        int run(KeyValueStore kv, String appName) throws IOException {
            kv.set(key, value != null ? value.getBytes(StandardCharsets.UTF_8) : readValue());
            return 0;
        }

        private byte[] readValue() throws IOException {
            if (valueFile.equals("-")) {
                return in.readAllBytes();
            }
            try {
                return Files.readAllBytes(Path.of(valueFile));
            } catch (IOException e) {
                throw new IOException("--value-file " + valueFile + ": cannot read (" + e + ")", e);
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete keys; a key that is absent is no error (as in Spin).")
    static final class Delete extends Operation {
        @Parameters(arity = "1..*", paramLabel = "<key>")
        List<String> keys = new ArrayList<>();

        Delete(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        int run(KeyValueStore kv, String appName) {
            keys.forEach(kv::delete);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print the keys, one per line, in the store's listing order (SQLite: sorted;"
                    + " Redis: sorted within each page of the scan).")
    static final class ListKeys extends Operation {
        @Option(names = "--prefix", paramLabel = "<prefix>", defaultValue = "",
                description = "Only keys starting with this prefix.")
        String prefix;

        ListKeys(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        int run(KeyValueStore kv, String appName) {
            String cursor = null;
            do {
                KeyValueStore.KeyPage page = kv.listKeys(prefix, cursor, LIST_PAGE);
                StringBuilder lines = new StringBuilder();
                page.keys().forEach(k -> lines.append(k).append('\n'));
                out.print(lines);
                cursor = page.nextCursor();
            } while (cursor != null);
            out.flush();
            return 0;
        }
    }
}
