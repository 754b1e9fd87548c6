package dev.edge.wasm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where a guest's stdout/stderr lines go (WASI fd 1 and 2). Called on the guest's thread. */
@FunctionalInterface
public interface GuestOutputSink {

    /**
     * @param componentId the component that wrote the line
     * @param stream      {@code stdout} or {@code stderr}
     * @param line        one line without its newline (long lines are split)
     */
    void line(String componentId, String stream, String line);

    /** Logs every line to the SLF4J logger {@code dev.edge.guest.<componentId>} (stdout INFO, stderr WARN). */
    static GuestOutputSink slf4j() {
        return (componentId, stream, line) -> {
            Logger log = LoggerFactory.getLogger("dev.edge.guest." + componentId);
            if ("stderr".equals(stream)) {
                log.warn("[stderr] {}", line);
            } else {
                log.info("[stdout] {}", line);
            }
        };
    }
}
