package dev.edge.config;

import java.nio.file.Path;

/**
 * A manifest or runtime config that cannot be loaded. The message always names the file, the field
 * (a dotted TOML path such as {@code trigger.http[0].route}) and the reason, so a user can fix it
 * without reading a stack trace.
 */
public final class ConfigException extends RuntimeException {
    private final Path file;
    private final String field;
    private final String reason;

    public ConfigException(Path file, String field, String reason) {
        super(file + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + reason);
        this.file = file;
        this.field = field;
        this.reason = reason;
    }

    public Path file() { return file; }

    /** Dotted TOML path of the offending field, or empty when the whole file is at fault. */
    public String field() { return field; }

    public String reason() { return reason; }
}
