package dev.edge.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/** Parses TOML text into plain maps and lists, turning syntax errors into a {@link ConfigException}. */
final class TomlTree {
    private TomlTree() {}

    static Table parse(Path file, String text) {
        TomlParseResult result;
        try {
            result = Toml.parse(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (RuntimeException | AssertionError e) {
            // tomlj reports problems as errors(), but with -ea it trips an internal assertion on a bad
            // unicode escape (e.g. a Windows path in a basic string) before it can report one
            throw new ConfigException(file, "", "invalid TOML: the parser rejected the input"
                    + " (check backslash escapes in strings; use 'single quotes' for Windows paths)");
        }
        if (result.hasErrors()) {
            TomlParseError error = result.errors().get(0);
            String where = error.position() == null ? ""
                    : " at line " + error.position().line() + ", column " + error.position().column();
            throw new ConfigException(file, "", "invalid TOML" + where + ": " + error.getMessage());
        }
        return new Table(file, "", plain(result));
    }

    private static Map<String, Object> plain(TomlTable table) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String key : table.keySet()) {
            map.put(key, plain(table.get(List.of(key))));
        }
        return map;
    }

    private static Object plain(Object value) {
        if (value instanceof TomlTable t) {
            return plain(t);
        }
        if (value instanceof TomlArray a) {
            List<Object> list = new ArrayList<>(a.size());
            for (int i = 0; i < a.size(); i++) {
                list.add(plain(a.get(i)));
            }
            return list;
        }
        return value;
    }
}
