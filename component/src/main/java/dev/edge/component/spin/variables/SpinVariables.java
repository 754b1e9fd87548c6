package dev.edge.component.spin.variables;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.HostContext;
import dev.edge.component.host.HostInterface;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code fermyon:spin/variables@2.0.0} and {@code wasi:config/store@0.2.0-draft-2024-09-27} over
 * {@link VariablesState}, with Spin's rules (spin-expressions {@code Key::validate}, factor-variables
 * {@code host.rs}): a name must be lower-case letters, digits and single underscores, start with a letter and
 * end with a letter or digit, else {@code invalid-name}; a name the component does not define is
 * {@code undefined}. wasi:config answers {@code none} for both. Spin 3's {@code spin:variables@3.0.0} is
 * async-only in its published WIT and therefore not provided.
 */
public final class SpinVariables {
    private static final int INVALID_NAME = 0;
    private static final int UNDEFINED = 1;

    private SpinVariables() {
    }

    public static List<HostInterface> interfaces() {
        return List.of(variables(), wasiConfigStore());
    }

    public static HostInterface variables() {
        return HostInterface.builder("fermyon:spin/variables", "2.0.0")
                .function("get", (cx, a) -> get(cx, (String) a[0]))
                .build();
    }

    public static HostInterface wasiConfigStore() {
        return HostInterface.builder("wasi:config/store", "0.2.0-draft-2024-09-27")
                .function("get", (cx, a) -> {
                    Variant result = get(cx, (String) a[0]);
                    return Variant.ok(result.isOk() ? Variant.some(result.payload()) : Variant.none());
                })
                .function("get-all", (cx, a) -> {
                    List<Object> pairs = new ArrayList<>();
                    for (Map.Entry<String, String> e : new TreeMap<>(cx.get(VariablesState.class).variables()).entrySet()) {
                        pairs.add(new Object[] {e.getKey(), e.getValue()});
                    }
                    return Variant.ok(pairs);
                })
                .build();
    }

    /** {@code result<string, error>}. */
    static Variant get(HostContext cx, String name) {
        String invalid = invalidReason(name);
        if (invalid != null) {
            return Variant.err(new Variant(INVALID_NAME, "\"" + name + "\": " + invalid));
        }
        VariablesState state = cx.get(VariablesState.class);
        String value = state.variables().get(name);
        if (value == null) {
            return Variant.err(new Variant(UNDEFINED,
                    "no variable for \"" + state.componentId() + "\".\"" + name + "\""));
        }
        return Variant.ok(value);
    }

    /** Spin's reason a variable name is invalid, or null. */
    static String invalidReason(String key) {
        if (key.isEmpty()) {
            return "must not be empty";
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                return "invalid character '" + c + "'. Variable names may contain only lower-case letters, "
                        + "numbers, and underscores.";
            }
        }
        if (!(key.charAt(0) >= 'a' && key.charAt(0) <= 'z')) {
            return "must start with a lowercase ASCII letter";
        }
        if (key.charAt(key.length() - 1) == '_') {
            return "must end with a lowercase ASCII letter or digit";
        }
        if (key.contains("__")) {
            return "must not contain multiple consecutive underscores";
        }
        return null;
    }
}
