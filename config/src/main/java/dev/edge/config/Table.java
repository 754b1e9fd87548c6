package dev.edge.config;

import java.nio.file.Path;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A TOML table at a known field path, with typed accessors whose errors name the file and the field.
 * Values are plain Java: String, Long, Double, Boolean, date/time, {@code List<Object>}, {@code Map<String, Object>}.
 */
final class Table {
    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private final Path file;
    private final String path;
    private final Map<String, Object> values;

    Table(Path file, String path, Map<String, Object> values) {
        this.file = file;
        this.path = path;
        this.values = values;
    }

    Path file() { return file; }

    String path() { return path; }

    Set<String> keys() { return values.keySet(); }

    boolean has(String key) { return values.containsKey(key); }

    Object raw(String key) { return values.get(key); }

    String fieldPath(String key) {
        String k = BARE_KEY.matcher(key).matches() ? key : '"' + key.replace("\"", "\\\"") + '"';
        return path.isEmpty() ? k : path + "." + k;
    }

    ConfigException error(String reason) {
        return new ConfigException(file, path, reason);
    }

    ConfigException error(String key, String reason) {
        return new ConfigException(file, fieldPath(key), reason);
    }

    /** Rejects any key not in {@code allowed}, suggesting a close match when there is one. */
    void allowOnly(String... allowed) {
        Set<String> known = new LinkedHashSet<>(Arrays.asList(allowed));
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                String hint = closest(key, known).map(k -> " (did you mean '" + k + "'?)").orElse("");
                throw error(key, "unknown field '" + key + "'" + hint);
            }
        }
    }

    String requireString(String key) {
        return optString(key).orElseThrow(() -> error(key, "missing required field"));
    }

    Optional<String> optString(String key) {
        return Optional.ofNullable(values.get(key)).map(v -> as(String.class, v, fieldPath(key), "a string"));
    }

    Optional<Boolean> optBool(String key) {
        return Optional.ofNullable(values.get(key)).map(v -> as(Boolean.class, v, fieldPath(key), "a boolean"));
    }

    Optional<Long> optLong(String key) {
        return Optional.ofNullable(values.get(key)).map(v -> as(Long.class, v, fieldPath(key), "an integer"));
    }

    Optional<Table> optTable(String key) {
        return Optional.ofNullable(values.get(key)).map(v -> table(v, fieldPath(key)));
    }

    Table requireTable(String key) {
        return optTable(key).orElseThrow(() -> error(key, "missing required field"));
    }

    Optional<List<Object>> optArray(String key) {
        return Optional.ofNullable(values.get(key)).map(v -> array(v, fieldPath(key)));
    }

    /** An optional array of strings; absent is empty. */
    List<String> stringList(String key) {
        List<Object> raw = optArray(key).orElse(List.of());
        List<String> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            out.add(as(String.class, raw.get(i), fieldPath(key) + "[" + i + "]", "a string"));
        }
        return out;
    }

    /** An optional table whose values are all strings; absent is empty. Keys keep declaration order. */
    Map<String, String> stringMap(String key) {
        Optional<Table> t = optTable(key);
        Map<String, String> out = new LinkedHashMap<>();
        t.ifPresent(table -> {
            for (String k : table.keys()) {
                out.put(k, as(String.class, table.raw(k), table.fieldPath(k), "a string"));
            }
        });
        return out;
    }

    /** Wraps a value found at {@code fieldPath} as a table, or fails naming the type found. */
    Table table(Object value, String fieldPath) {
        if (value instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return new Table(file, fieldPath, map);
        }
        throw new ConfigException(file, fieldPath, "expected a table, found " + typeName(value));
    }

    List<Object> array(Object value, String fieldPath) {
        if (value instanceof List<?> l) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) l;
            return list;
        }
        throw new ConfigException(file, fieldPath, "expected an array, found " + typeName(value));
    }

    <T> T as(Class<T> type, Object value, String fieldPath, String expected) {
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        throw new ConfigException(file, fieldPath, "expected " + expected + ", found " + typeName(value));
    }

    static String typeName(Object value) {
        if (value instanceof String) return "a string";
        if (value instanceof Long) return "an integer";
        if (value instanceof Double) return "a float";
        if (value instanceof Boolean) return "a boolean";
        if (value instanceof Map) return "a table";
        if (value instanceof List) return "an array";
        if (value instanceof TemporalAccessor) return "a date-time";
        return "an unsupported value";
    }

    private static Optional<String> closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            if (key.length() >= 3 && (k.startsWith(key) || key.startsWith(k))) {
                return Optional.of(k);
            }
        }
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
