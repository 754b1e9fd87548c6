package dev.edge.config;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A manifest or runtime config that cannot be loaded. The message always names the file, the field
 * (a dotted TOML path such as {@code trigger.http[0].route}) and the reason, so a user can fix it
 * without reading a stack trace. A URL's credentials never appear in it: a value echoed from any field (a Redis URL
 * pasted into the wrong one, say) is shown as {@code scheme://***@host}.
 */
public final class ConfigException extends RuntimeException {
    private final Path file;
    private final String field;
    private final String reason;

    /**
     * {@code scheme://userinfo@}: everything up to the last '@' before the next quote or space counts as userinfo (a
     * password may hold a '/'; hiding too much of a malformed URL is the safe side). '[' cannot be in userinfo, so a
     * syntax hint such as {@code redis://[user:password@]host} is left as it is.
     */
    private static final Pattern URL_USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^\\s'\"\\[\\]]*@");

    public ConfigException(Path file, String field, String reason) {
        super(file + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + withoutCredentials(reason));
        this.file = file;
        this.field = field;
        this.reason = withoutCredentials(reason);
    }

    static String withoutCredentials(String text) {
        return text == null ? null : URL_USERINFO.matcher(text).replaceAll("$1***@");
    }

    public Path file() { return file; }

    /** Dotted TOML path of the offending field, or empty when the whole file is at fault. */
    public String field() { return field; }

    public String reason() { return reason; }
}
