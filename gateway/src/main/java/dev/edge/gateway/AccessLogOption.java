package dev.edge.gateway;

import dev.edge.routes.AccessLog;
import dev.edge.routes.AccessLogFormat;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code --access-log FILE|-} and {@code --access-log-format json|combined}.
 *
 * @param destination a file (appended to) or {@code -} for standard output
 */
public record AccessLogOption(String destination, AccessLogFormat format) {
    public static final String STDOUT = "-";

    /** Opens the log; a file that cannot be opened is an IllegalArgumentException naming it, in one line. */
    AccessLog open() {
        if (destination.equals(STDOUT)) {
            return AccessLog.to(System.out, format);
        }
        Path file = Path.of(destination);
        try {
            return AccessLog.toFile(file, format);
        } catch (IOException e) {
            throw new IllegalArgumentException("--access-log " + destination + ": cannot open for appending ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }
}
