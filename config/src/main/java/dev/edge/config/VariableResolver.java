package dev.edge.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves application variables once, at load. Each variable's value comes from, in order:
 * <ol>
 *   <li>the environment variable {@code SPIN_VARIABLE_<NAME>} (Spin's own provider, so existing setups work),</li>
 *   <li>the environment variable {@code EDGE_VARIABLE_<NAME>},</li>
 *   <li>the manifest's {@code default}.</li>
 * </ol>
 * {@code <NAME>} is the variable name upper-cased. A required variable with no value fails the load.
 * Secret values never appear in {@link #toString()}; use {@link #redact(String)} before logging text that
 * may contain one.
 */
public final class VariableResolver {
    public static final String SPIN_PREFIX = "SPIN_VARIABLE_";
    public static final String EDGE_PREFIX = "EDGE_VARIABLE_";
    public static final String REDACTED = "<redacted>";

    private final AppManifest manifest;
    private final Map<String, String> values;
    private final List<String> secretValues;

    private VariableResolver(AppManifest manifest, Map<String, String> values, List<String> secretValues) {
        this.manifest = manifest;
        this.values = Map.copyOf(values);
        this.secretValues = List.copyOf(secretValues);
    }

    /** Resolves against the process environment. */
    public static VariableResolver resolve(AppManifest manifest) {
        return resolve(manifest, System.getenv());
    }

    /**
     * Resolves against {@code env} (injectable for tests).
     *
     * @throws ConfigException naming {@code variables.<name>} when a required variable has no value
     */
    public static VariableResolver resolve(AppManifest manifest, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> secrets = new ArrayList<>();
        for (VariableDecl decl : manifest.variables().values()) {
            String upper = decl.name().toUpperCase(Locale.ROOT);
            Optional<String> value = Optional.ofNullable(env.get(SPIN_PREFIX + upper))
                    .or(() -> Optional.ofNullable(env.get(EDGE_PREFIX + upper)))
                    .or(decl::defaultValue);
            if (value.isEmpty()) {
                throw new ConfigException(manifest.file(), "variables." + decl.name(),
                        "required variable '" + decl.name() + "' has no value; set " + SPIN_PREFIX + upper
                                + " or " + EDGE_PREFIX + upper);
            }
            values.put(decl.name(), value.get());
            if (decl.secret() && !value.get().isEmpty()) {
                secrets.add(value.get());
            }
        }
        // longest first, so a secret that contains another is replaced whole
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        return new VariableResolver(manifest, values, secrets);
    }

    /** The resolved value of an application variable. */
    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public boolean isSecret(String name) {
        VariableDecl decl = manifest.variables().get(name);
        return decl != null && decl.secret();
    }

    /**
     * Renders a template such as {@code "Bearer {{ api_token }}"}.
     *
     * @throws IllegalArgumentException if the template is malformed or names an undeclared variable
     */
    public String render(String template) {
        return Template.parse(template).render(name -> get(name)
                .orElseThrow(() -> new IllegalArgumentException("undefined application variable '" + name + "'")));
    }

    /** A component's {@code variables}, rendered. The manifest loader has already checked every reference. */
    public Map<String, String> componentVariables(String componentId) {
        Component component = manifest.component(componentId)
                .orElseThrow(() -> new IllegalArgumentException("no component '" + componentId + "'"));
        Map<String, String> rendered = new LinkedHashMap<>();
        component.variables().forEach((k, v) -> rendered.put(k, render(v)));
        return rendered;
    }

    /**
     * A component's {@code allowed_outbound_hosts} with templates rendered and parsed.
     *
     * @throws ConfigException naming the entry when a rendered template is not a valid host pattern
     */
    public List<OutboundHost> allowedOutboundHosts(String componentId) {
        Component component = manifest.component(componentId)
                .orElseThrow(() -> new IllegalArgumentException("no component '" + componentId + "'"));
        List<OutboundHost> hosts = new ArrayList<>();
        List<String> entries = component.allowedOutboundHosts();
        for (int i = 0; i < entries.size(); i++) {
            try {
                hosts.add(OutboundHost.parse(render(entries.get(i))));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(manifest.file(),
                        "component." + componentId + ".allowed_outbound_hosts[" + i + "]", redact(e.getMessage()));
            }
        }
        return hosts;
    }

    /** Whether the component variable's template references a secret application variable. */
    public boolean isSecretComponentVariable(String componentId, String variable) {
        return manifest.component(componentId)
                .map(c -> c.variables().get(variable))
                .map(t -> Template.parse(t).references().stream().anyMatch(this::isSecret))
                .orElse(false);
    }

    /** {@code text} with every secret value replaced by {@value #REDACTED}. */
    public String redact(String text) {
        String out = text;
        for (String secret : secretValues) {
            out = out.replace(secret, REDACTED);
        }
        return out;
    }

    /** Names and values, secret values redacted. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("VariableResolver{");
        String sep = "";
        for (String name : new java.util.TreeSet<>(values.keySet())) {
            sb.append(sep).append(name).append('=').append(isSecret(name) ? REDACTED : redact(values.get(name)));
            sep = ", ";
        }
        return sb.append('}').toString();
    }
}
