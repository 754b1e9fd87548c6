package dev.edge.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads and validates a {@code spin.toml} (manifest version 2). Every problem is a {@link ConfigException}
 * naming the file, the field path and the reason. Unknown fields are rejected at every level, as Spin does.
 */
public final class ManifestLoader {
    public static final String MANIFEST_FILE_NAME = "spin.toml";

    private static final Pattern SHA256_DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    /** Fields Spin knows but edge does not implement: accepted only when empty, so templates still load. */
    private static final Set<String> UNSUPPORTED_COMPONENT_FIELDS =
            Set.of("sqlite_databases", "ai_models", "dependencies", "dependencies_inherit_configuration");

    private ManifestLoader() {}

    /**
     * Loads a manifest file. A directory is taken to mean the {@code spin.toml} inside it.
     *
     * @throws ConfigException if the file cannot be read or is not a valid manifest
     */
    public static AppManifest load(Path spinToml) {
        Path file = spinToml.toAbsolutePath().normalize();
        if (Files.isDirectory(file)) {
            file = file.resolve(MANIFEST_FILE_NAME);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(file, "", "manifest file not found");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException(file, "", "manifest is not valid UTF-8");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(file, "", "cannot read manifest: " + e.getClass().getSimpleName());
        }
        return parse(file, text);
    }

    /**
     * Parses manifest text as if it were the content of {@code file}: relative paths resolve against
     * {@code file}'s directory and must exist there.
     */
    public static AppManifest parse(Path file, String text) {
        Path absolute = file.toAbsolutePath().normalize();
        return new Parse(absolute).manifest(TomlTree.parse(absolute, text));
    }

    /** One load: the state (declared variables, components) later sections are checked against. */
    private static final class Parse {
        private final Path file;
        private final Path baseDir;
        private final Map<String, VariableDecl> variables = new LinkedHashMap<>();
        private final Map<String, Component> components = new LinkedHashMap<>();

        Parse(Path file) {
            this.file = file;
            this.baseDir = file.getParent() == null ? Path.of("/") : file.getParent();
        }

        AppManifest manifest(Table root) {
            if (root.has("spin_version") || "1".equals(root.raw("spin_manifest_version"))) {
                String key = root.has("spin_version") ? "spin_version" : "spin_manifest_version";
                throw root.error(key, "this is a version 1 manifest; edge supports only spin_manifest_version = 2"
                        + " (convert it with `spin doctor` or by hand)");
            }
            root.allowOnly("spin_manifest_version", "application", "variables", "trigger", "component");
            long version = root.optLong("spin_manifest_version")
                    .orElseThrow(() -> root.error("spin_manifest_version", "missing required field"));
            if (version != 2) {
                throw root.error("spin_manifest_version",
                        "unsupported manifest version " + version + "; edge supports only version 2");
            }
            Application application = application(root.optTable("application")
                    .orElseThrow(() -> root.error("application", "missing required field")));
            root.optTable("variables").ifPresent(this::variables);
            root.optTable("component").ifPresent(this::components);
            List<HttpTrigger> triggers = triggers(root);
            return new AppManifest(file, application, variables, triggers, components);
        }

        private Application application(Table t) {
            t.allowOnly("name", "version", "description", "authors", "tool");
            String name = t.requireString("name");
            if (name.isBlank()) {
                throw t.error("name", "must not be empty");
            }
            t.optTable("tool"); // tool settings are for other tools; Spin ignores them too
            return new Application(name, t.optString("version").orElse(""),
                    t.optString("description").orElse(""), t.stringList("authors"));
        }

        private void variables(Table t) {
            for (String name : t.keys()) {
                Table v = t.table(t.raw(name), t.fieldPath(name));
                Ids.lowerSnakeProblem(name).ifPresent(p -> {
                    throw t.error(name, "variable name '" + name + "' is not lower_snake_case: " + p);
                });
                v.allowOnly("default", "required", "secret");
                Optional<String> defaultValue = v.optString("default");
                boolean required = v.optBool("required").orElse(false);
                boolean secret = v.optBool("secret").orElse(false);
                if (required && defaultValue.isPresent()) {
                    throw v.error("a variable cannot be both required and have a default");
                }
                if (!required && defaultValue.isEmpty()) {
                    throw v.error("a variable must have a default or be required = true");
                }
                variables.put(name, new VariableDecl(name, defaultValue, required, secret));
            }
        }

        private void components(Table t) {
            for (String id : t.keys()) {
                Ids.kebabProblem(id).ifPresent(p -> {
                    throw t.error(id, "component id '" + id + "' is not kebab-case: " + p);
                });
                components.put(id, component(id, t.table(t.raw(id), t.fieldPath(id))));
            }
        }

        private Component component(String id, Table t) {
            t.allowOnly("source", "description", "variables", "environment", "files", "exclude_files",
                    "allowed_outbound_hosts", "allowed_http_hosts", "key_value_stores", "build", "tool",
                    "sqlite_databases", "ai_models", "dependencies", "dependencies_inherit_configuration");
            for (String key : UNSUPPORTED_COMPONENT_FIELDS) {
                if (t.has(key) && !isEmptyValue(t.raw(key))) {
                    throw t.error(key, "'" + key + "' is not supported by edge");
                }
            }
            if (t.has("allowed_http_hosts") && !isEmptyValue(t.raw("allowed_http_hosts"))) {
                throw t.error("allowed_http_hosts",
                        "'allowed_http_hosts' is deprecated and not supported; use allowed_outbound_hosts");
            }
            if (!t.has("source")) {
                throw t.error("source", "missing required field");
            }
            Source source = source(t);
            t.optString("description");
            t.optTable("tool");
            t.optTable("build").ifPresent(this::build);
            List<String> labels = t.stringList("key_value_stores");
            for (int i = 0; i < labels.size(); i++) {
                if (!Ids.isKebabOrSnake(labels.get(i))) {
                    throw t.error("key_value_stores", "label '" + labels.get(i)
                            + "' must be kebab-case or snake_case (key_value_stores[" + i + "])");
                }
            }
            Map<String, String> componentVariables = t.stringMap("variables");
            Table varTable = t.optTable("variables").orElse(null);
            for (var e : componentVariables.entrySet()) {
                String field = varTable.fieldPath(e.getKey());
                Ids.lowerSnakeProblem(e.getKey()).ifPresent(p -> {
                    throw new ConfigException(file, field, "variable name '" + e.getKey() + "' is not lower_snake_case: " + p);
                });
                checkTemplate(field, e.getValue());
            }
            Map<String, String> environment = t.stringMap("environment");
            for (String name : environment.keySet()) {
                if (name.isEmpty() || name.contains("=") || name.indexOf('\0') >= 0) {
                    throw t.error("environment", "invalid environment variable name '" + name + "'");
                }
            }
            List<FileMount> files = files(t);
            List<String> excludeFiles = t.stringList("exclude_files");
            List<String> hosts = t.stringList("allowed_outbound_hosts");
            for (int i = 0; i < hosts.size(); i++) {
                outboundHost(t.fieldPath("allowed_outbound_hosts") + "[" + i + "]", hosts.get(i));
            }
            return new Component(id, source.path, source.digest, labels, componentVariables, environment,
                    files, excludeFiles, hosts);
        }

        private record Source(Path path, Optional<String> digest) {}

        private Source source(Table t) {
            Object raw = t.raw("source");
            String field = t.fieldPath("source");
            if (raw instanceof String relative) {
                return new Source(existingFile(field, relative), Optional.empty());
            }
            Table s = t.table(raw, field);
            if (s.has("url")) {
                s.allowOnly("url", "digest");
                s.requireString("url");
                s.requireString("digest");
                throw s.error("url sources are not supported offline; download the file and set source to its path"
                        + " (optionally as { path = \"...\", digest = \"sha256:...\" })");
            }
            if (s.has("package") || s.has("registry")) {
                s.allowOnly("registry", "package", "version");
                throw s.error("registry sources are not supported offline; set source to a local .wasm path");
            }
            // edge extension: a local path pinned by digest
            s.allowOnly("path", "digest");
            Path path = existingFile(s.fieldPath("path"), s.requireString("path"));
            String digest = s.requireString("digest");
            if (!SHA256_DIGEST.matcher(digest).matches()) {
                throw s.error("digest", "expected 'sha256:' followed by 64 lowercase hex digits");
            }
            String actual = sha256(path, s.fieldPath("path"));
            if (!actual.equals(digest)) {
                throw s.error("digest", "digest mismatch for " + path + ": expected " + digest + ", file has " + actual);
            }
            return new Source(path, Optional.of(digest));
        }

        private Path existingFile(String field, String relative) {
            if (relative.isBlank()) {
                throw new ConfigException(file, field, "must not be empty");
            }
            Path path;
            try {
                path = baseDir.resolve(relative).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                throw new ConfigException(file, field, "invalid path '" + relative + "'");
            }
            if (!Files.isRegularFile(path)) {
                throw new ConfigException(file, field, "file not found: " + path);
            }
            return path;
        }

        private String sha256(Path path, String field) {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                return "sha256:" + HexFormat.of().formatHex(md.digest(Files.readAllBytes(path)));
            } catch (IOException e) {
                throw new ConfigException(file, field, "cannot read " + path + ": " + e.getClass().getSimpleName());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }

        private void build(Table b) {
            // accepted for compatibility with `spin build`; edge never runs it
            b.allowOnly("command", "workdir", "watch");
            Object command = b.raw("command");
            if (command == null) {
                throw b.error("command", "missing required field");
            }
            if (!(command instanceof String)) {
                b.stringList("command");
            }
            b.optString("workdir");
            b.stringList("watch");
        }

        private List<FileMount> files(Table t) {
            List<Object> raw = t.optArray("files").orElse(List.of());
            List<FileMount> mounts = new ArrayList<>();
            for (int i = 0; i < raw.size(); i++) {
                String field = t.fieldPath("files") + "[" + i + "]";
                Object entry = raw.get(i);
                if (entry instanceof String glob) {
                    if (glob.isBlank()) {
                        throw new ConfigException(file, field, "must not be empty");
                    }
                    mounts.add(new FileMount(glob, "/", true));
                    continue;
                }
                if (!(entry instanceof Map)) {
                    throw new ConfigException(file, field,
                            "expected a glob string or { source, destination }, found " + Table.typeName(entry));
                }
                Table m = t.table(entry, field);
                m.allowOnly("source", "destination");
                String source = m.requireString("source");
                String destination = m.requireString("destination");
                if (!destination.startsWith("/")) {
                    throw m.error("destination", "must be an absolute path (start with '/')");
                }
                Path resolved;
                try {
                    resolved = baseDir.resolve(source).normalize();
                } catch (java.nio.file.InvalidPathException e) {
                    throw m.error("source", "invalid path '" + source + "'");
                }
                if (!Files.exists(resolved)) {
                    throw m.error("source", "not found: " + resolved);
                }
                mounts.add(new FileMount(source, destination, false));
            }
            return mounts;
        }

        private void outboundHost(String field, String entry) {
            try {
                Template template = Template.parse(entry);
                if (template.isLiteral()) {
                    OutboundHost.parse(entry);
                } else {
                    checkReferences(field, template);
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, field, e.getMessage());
            }
        }

        private void checkTemplate(String field, String value) {
            Template template;
            try {
                template = Template.parse(value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, field, e.getMessage());
            }
            checkReferences(field, template);
        }

        private void checkReferences(String field, Template template) {
            for (String name : template.references()) {
                if (!variables.containsKey(name)) {
                    throw new ConfigException(file, field, "references undefined application variable '" + name + "'");
                }
            }
        }

        private List<HttpTrigger> triggers(Table root) {
            Table trigger = root.optTable("trigger").orElseThrow(() -> root.error("trigger", "missing required field"));
            for (String type : trigger.keys()) {
                if (!type.equals("http")) {
                    throw trigger.error(type, "trigger type '" + type + "' is not supported by edge (only http)");
                }
            }
            List<Object> entries = trigger.optArray("http")
                    .orElseThrow(() -> trigger.error("http", "missing required field"));
            List<HttpTrigger> triggers = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                String field = trigger.fieldPath("http") + "[" + i + "]";
                triggers.add(trigger(trigger.table(entries.get(i), field)));
            }
            return triggers;
        }

        private HttpTrigger trigger(Table t) {
            t.allowOnly("id", "route", "component", "static_response", "executor", "components");
            if (t.has("components")) {
                throw t.error("components", "'components' (middleware) is not supported by edge");
            }
            Optional<String> triggerId = t.optString("id");
            if (!t.has("route")) {
                throw t.error("route", "missing required field");
            }
            String route = "";
            boolean isPrivate = false;
            Object rawRoute = t.raw("route");
            if (rawRoute instanceof String r) {
                if (!r.startsWith("/")) {
                    throw t.error("route", "route '" + r + "' must start with '/'");
                }
                route = r;
            } else if (rawRoute instanceof Map) {
                Table p = t.table(rawRoute, t.fieldPath("route"));
                p.allowOnly("private");
                if (!p.optBool("private").orElse(false)) {
                    throw t.error("route", "expected a route string or { private = true }");
                }
                isPrivate = true;
            } else {
                throw t.error("route", "expected a route string or { private = true }, found " + Table.typeName(rawRoute));
            }
            boolean hasComponent = t.has("component");
            boolean hasStatic = t.has("static_response");
            if (hasComponent == hasStatic) {
                throw t.error(hasComponent ? "the trigger has both 'component' and 'static_response'; give exactly one"
                        : "missing 'component' or 'static_response'; give exactly one");
            }
            if (hasStatic) {
                if (t.has("executor")) {
                    throw t.error("executor", "a static_response trigger has no executor");
                }
                StaticResponse response = staticResponse(t.requireTable("static_response"));
                return new HttpTrigger(route, isPrivate, Optional.empty(), Optional.of(response), Executor.http());
            }
            String componentId = componentRef(t, triggerId);
            Executor executor = t.optTable("executor").map(this::executor).orElse(Executor.http());
            return new HttpTrigger(route, isPrivate, Optional.of(componentId), Optional.empty(), executor);
        }

        private String componentRef(Table t, Optional<String> triggerId) {
            Object raw = t.raw("component");
            if (raw instanceof String id) {
                Ids.kebabProblem(id).ifPresent(p -> {
                    throw t.error("component", "component id '" + id + "' is not kebab-case: " + p);
                });
                if (!components.containsKey(id)) {
                    throw t.error("component", "no component with id '" + id + "' (expected a [component." + id + "] table)");
                }
                return id;
            }
            Table inline = t.table(raw, t.fieldPath("component"));
            String id = inlineId(triggerId);
            components.put(id, component(id, inline));
            return id;
        }

        /** Spin's naming for inline components: {@code <trigger-id>-component}, else {@code inline-component<n>}. */
        private String inlineId(Optional<String> triggerId) {
            if (triggerId.isPresent()) {
                String natural = triggerId.get() + "-component";
                if (Ids.kebabProblem(natural).isEmpty() && !components.containsKey(natural)) {
                    return natural;
                }
            }
            for (int n = 1; ; n++) {
                String id = "inline-component" + n;
                if (!components.containsKey(id)) {
                    return id;
                }
            }
        }

        private StaticResponse staticResponse(Table s) {
            s.allowOnly("status_code", "headers", "body");
            long status = s.optLong("status_code").orElse(200L);
            // a final status only: a 1xx would be sent as an interim answer and desynchronise the connection
            if (status < 200 || status > 599) {
                throw s.error("status_code", "status code " + status + " is out of range 200..599");
            }
            Map<String, String> headers = s.stringMap("headers");
            for (String name : headers.keySet()) {
                if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw s.error("headers", "invalid header name '" + name + "'");
                }
            }
            for (var e : headers.entrySet()) {
                if (e.getValue().indexOf('\r') >= 0 || e.getValue().indexOf('\n') >= 0) {
                    throw s.error("headers", "header '" + e.getKey() + "' has a line break in its value");
                }
            }
            return new StaticResponse((int) status, headers, s.optString("body").orElse(""));
        }

        private Executor executor(Table e) {
            String type = e.requireString("type");
            switch (type) {
                case "http", "spin" -> {
                    e.allowOnly("type");
                    return Executor.http();
                }
                case "wagi" -> {
                    e.allowOnly("type", "argv", "entrypoint");
                    String argv = e.optString("argv").orElse(Executor.DEFAULT_WAGI_ARGV);
                    String entrypoint = e.optString("entrypoint").orElse(Executor.DEFAULT_WAGI_ENTRYPOINT);
                    if (entrypoint.isBlank()) {
                        throw e.error("entrypoint", "must not be empty");
                    }
                    return Executor.wagi(argv, entrypoint);
                }
                default -> throw e.error("type", "unknown executor type '" + type + "' (expected http, spin or wagi)");
            }
        }

        private static boolean isEmptyValue(Object value) {
            return value instanceof List<?> l && l.isEmpty()
                    || value instanceof Map<?, ?> m && m.isEmpty()
                    || Boolean.FALSE.equals(value);
        }
    }
}
