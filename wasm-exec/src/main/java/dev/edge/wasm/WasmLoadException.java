package dev.edge.wasm;

import java.nio.file.Path;

/** A component's {@code .wasm} could not be loaded: the message names the component, the file and the reason. */
public final class WasmLoadException extends Exception {
    private final String componentId;
    private final Path source;

    public WasmLoadException(String componentId, Path source, String reason, Throwable cause) {
        super("component '" + componentId + "': cannot load " + source + ": " + reason, cause);
        this.componentId = componentId;
        this.source = source;
    }

    public String componentId() { return componentId; }

    public Path source() { return source; }
}
