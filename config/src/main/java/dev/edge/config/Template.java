package dev.edge.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A Spin expression template: literal text with {@code {{ app_var }}} references to application variables.
 * Parsing fails with {@link IllegalArgumentException} whose message is a stand-alone reason.
 */
public final class Template {
    /** A literal run of text, or a variable reference. */
    public record Part(String text, boolean isVariable) {}

    private final List<Part> parts;

    private Template(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    public static Template parse(String text) {
        List<Part> parts = new ArrayList<>();
        int pos = 0;
        while (pos < text.length()) {
            int open = text.indexOf("{{", pos);
            if (open < 0) {
                parts.add(new Part(text.substring(pos), false));
                break;
            }
            if (open > pos) {
                parts.add(new Part(text.substring(pos, open), false));
            }
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("unterminated '{{' in template");
            }
            String name = text.substring(open + 2, close).trim();
            String problem = Ids.lowerSnakeProblem(name).orElse(null);
            if (problem != null) {
                throw new IllegalArgumentException("invalid variable reference '{{ " + name + " }}': name " + problem);
            }
            parts.add(new Part(name, true));
            pos = close + 2;
        }
        return new Template(parts);
    }

    public List<Part> parts() { return parts; }

    public boolean isLiteral() {
        return parts.stream().noneMatch(Part::isVariable);
    }

    /** Names of the variables referenced, in order of first use. */
    public Set<String> references() {
        Set<String> names = new LinkedHashSet<>();
        parts.stream().filter(Part::isVariable).forEach(p -> names.add(p.text()));
        return names;
    }

    public String render(Function<String, String> valueOf) {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            out.append(p.isVariable() ? valueOf.apply(p.text()) : p.text());
        }
        return out.toString();
    }
}
