package dev.edge.config;

import java.nio.file.Path;

/**
 * A {@code files} entry: either a glob relative to the manifest (mounted at the same relative path
 * under {@code /}), or {@code { source = "dir", destination = "/abs" }}.
 *
 * @param source      host path or glob, relative to the manifest's directory
 * @param destination absolute guest path; for globs, {@code /}
 * @param isGlob      whether {@code source} is a glob pattern
 */
public record FileMount(String source, String destination, boolean isGlob) {
    public Path resolve(Path baseDir) {
        return baseDir.resolve(source).normalize();
    }
}
