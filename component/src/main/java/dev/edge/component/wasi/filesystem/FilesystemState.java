package dev.edge.component.wasi.filesystem;

import java.nio.file.Path;

/**
 * A component's files: the read-only copy that {@code GuestFiles} makes of its manifest {@code files}
 * ({@code GuestFiles.root()}), preopened as {@code /}; null root when the component has no files (then
 * there is no preopen at all, as in Spin).
 */
public record FilesystemState(Path root) {
    public static FilesystemState none() {
        return new FilesystemState(null);
    }
}
