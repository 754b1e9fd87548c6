package dev.edge.config;

import java.util.Optional;

/**
 * Identifier rules from Spin's manifest: ids are words joined by a delimiter; every word starts with an
 * ASCII letter and is alphanumeric. Spin lets a word be all lowercase or all UPPERCASE; lower_snake_case
 * names (variables) must be lowercase.
 */
public final class Ids {
    private Ids() {}

    /** Why {@code id} is not a kebab-case id (component ids), or empty when it is one. */
    public static Optional<String> kebabProblem(String id) {
        return problem(id, '-', false);
    }

    /** Why {@code name} is not a lower_snake_case name (variable names), or empty when it is one. */
    public static Optional<String> lowerSnakeProblem(String name) {
        return problem(name, '_', true);
    }

    /** Key-value store labels may be kebab-case or snake_case. */
    public static boolean isKebabOrSnake(String label) {
        return problem(label, '-', false).isEmpty() || problem(label, '_', false).isEmpty();
    }

    private static Optional<String> problem(String id, char delim, boolean lowerOnly) {
        if (id.isEmpty()) {
            return Optional.of("must not be empty");
        }
        for (String word : id.split(java.util.regex.Pattern.quote(String.valueOf(delim)), -1)) {
            if (word.isEmpty()) {
                return Optional.of("'" + delim + "'-separated words must not be empty");
            }
            char first = word.charAt(0);
            if (!isAsciiLetter(first)) {
                return Optional.of("'" + delim + "'-separated words must start with an ASCII letter");
            }
            boolean upper = Character.isUpperCase(first);
            if (lowerOnly && upper) {
                return Optional.of("must be lowercase");
            }
            for (int i = 1; i < word.length(); i++) {
                char c = word.charAt(i);
                if (c >= '0' && c <= '9') {
                    continue;
                }
                if (!isAsciiLetter(c)) {
                    return Optional.of("'" + delim + "'-separated words may only contain ASCII letters and digits");
                }
                if (Character.isUpperCase(c) != upper) {
                    return Optional.of(lowerOnly ? "must be lowercase"
                            : "'" + delim + "'-separated words must be all lowercase or all UPPERCASE");
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
