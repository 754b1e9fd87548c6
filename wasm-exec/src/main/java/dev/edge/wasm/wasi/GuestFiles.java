package dev.edge.wasm.wasi;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiOptions;
import dev.edge.config.FileMount;
import dev.edge.wasm.WasiSetup;
import dev.edge.wasm.WasmLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A component's {@code files}, copied once at load into a private directory that the guest sees read-only
 * as the WASI preopen {@code /}.
 *
 * <ul>
 *   <li>A glob ({@code "static/**\/*"}) is matched against paths relative to the manifest directory; each
 *       matching regular file appears at {@code /<its relative path>}, as in Spin. {@code **\/} also matches
 *       zero directories (Spin's glob crate does; Java's {@link PathMatcher} alone would not).</li>
 *   <li>{@code { source, destination }}: a directory's tree appears under {@code destination}; a single file
 *       appears at {@code destination}.</li>
 *   <li>{@code exclude_files} globs (relative to the manifest directory) remove files from both forms.</li>
 * </ul>
 *
 * <p>Why a copy: the copy holds only regular files and directories. Symbolic links in the sources are
 * skipped with a warning (Chicory follows links itself, so a link to {@code /etc/passwd} would otherwise
 * escape), and later edits of the sources do not change a running app. Chicory rejects absolute and
 * {@code ..} paths lexically, {@link ReadOnlyWasi} refuses every write, link and rename, and the copy's
 * permissions are read-only as a last line. The copy is on disk (under {@code <state-dir>/files}), not in
 * memory, so large static assets cost no heap; {@link #close()} deletes it.
 */
public final class GuestFiles implements WasiSetup {
    private static final Logger LOG = LoggerFactory.getLogger(GuestFiles.class);
    private static final GuestFiles NONE = new GuestFiles(null, 0);

    private final Path root;
    private final int fileCount;

    private GuestFiles(Path root, int fileCount) {
        this.root = root;
        this.fileCount = fileCount;
    }

    /** No files: the guest gets no preopened directory at all. */
    public static GuestFiles none() {
        return NONE;
    }

    /** A manifest component's {@code files} and {@code exclude_files}, copied under {@code <stateDir>/files}. */
    public static GuestFiles forComponent(dev.edge.config.Component component, Path baseDir, Path stateDir)
            throws WasmLoadException {
        return prepare(component.id(), component.source(), component.files(), component.excludeFiles(), baseDir,
                stateDir.resolve("files"));
    }

    /**
     * Copies the mounts into a fresh directory under {@code workDir}.
     *
     * @param componentId  for messages and the copy's name
     * @param wasmSource   the component's module (named in load errors)
     * @param mounts       the component's {@code files}
     * @param excludeFiles the component's {@code exclude_files}
     * @param baseDir      the manifest's directory (sources and globs are relative to it)
     * @param workDir      where copies live, normally {@code <state-dir>/files}
     */
    public static GuestFiles prepare(String componentId, Path wasmSource, List<FileMount> mounts,
                                     List<String> excludeFiles, Path baseDir, Path workDir) throws WasmLoadException {
        if (mounts.isEmpty()) {
            return NONE;
        }
        Path base = baseDir.toAbsolutePath().normalize();
        List<PathMatcher> excludes = excludeFiles.stream().flatMap(GuestFiles::globMatchers).toList();
        Path root;
        try {
            Files.createDirectories(workDir);
            root = Files.createTempDirectory(workDir, componentId + "-");
        } catch (IOException e) {
            throw new WasmLoadException(componentId, wasmSource, "cannot create a directory for its files under "
                    + workDir + " (" + e + ")", e);
        }
        Copier copier = new Copier(componentId, base, root, excludes);
        try {
            for (int i = 0; i < mounts.size(); i++) {
                FileMount mount = mounts.get(i);
                String field = "files[" + i + "] ('" + mount.source() + "')";
                if (mount.isGlob()) {
                    copier.glob(wasmSource, field, mount.source());
                } else {
                    copier.placement(wasmSource, field, mount.resolve(base), mount.destination());
                }
            }
            makeReadOnly(root);
        } catch (WasmLoadException e) {
            deleteTree(root);
            throw e;
        } catch (IOException | UncheckedIOException e) {
            deleteTree(root);
            throw new WasmLoadException(componentId, wasmSource, "cannot copy its files: " + e, e);
        }
        LOG.debug("component '{}': {} file(s) mounted read-only at / from {}", componentId, copier.count, root);
        return new GuestFiles(root, copier.count);
    }

    /** The host directory the guest sees as {@code /}, or null when there are no files. */
    public Path root() { return root; }

    /** Number of regular files mounted. */
    public int fileCount() { return fileCount; }

    /** Adds the preopen ({@code /} to the copy) to a WASI configuration; nothing when there are no files. */
    @Override
    public void configure(WasiOptions.Builder options) {
        if (root != null) {
            options.withDirectory("/", root);
        }
    }

    /** The WASI functions to link: {@link ReadOnlyWasi#filter} of {@code wasiFunctions}. */
    @Override
    public HostFunction[] link(HostFunction[] wasiFunctions) {
        return ReadOnlyWasi.filter(wasiFunctions);
    }

    @Override
    public void close() {
        if (root != null) {
            deleteTree(root);
        }
    }

    /** Matchers for a glob; a {@code **}{@code /} also matches zero directories, as in Spin. */
    static Stream<PathMatcher> globMatchers(String glob) {
        String normalized = glob.startsWith("./") ? glob.substring(2) : glob;
        List<String> patterns = new ArrayList<>(List.of(normalized));
        if (normalized.contains("**/")) {
            patterns.add(normalized.replace("**/", ""));
        }
        return patterns.stream().map(p -> FileSystems.getDefault().getPathMatcher("glob:" + p));
    }

    /** The part of a glob before its first wildcard, as a directory to walk. */
    static String literalPrefix(String glob) {
        int wildcard = glob.length();
        for (char c : new char[] {'*', '?', '[', '{'}) {
            int at = glob.indexOf(c);
            if (at >= 0) {
                wildcard = Math.min(wildcard, at);
            }
        }
        int slash = glob.lastIndexOf('/', wildcard - 1);
        if (wildcard == glob.length()) {
            return glob; // no wildcard: the path itself
        }
        return slash < 0 ? "" : glob.substring(0, slash);
    }

    private static final class Copier {
        private final String componentId;
        private final Path base;
        private final Path root;
        private final List<PathMatcher> excludes;
        int count;

        Copier(String componentId, Path base, Path root, List<PathMatcher> excludes) {
            this.componentId = componentId;
            this.base = base;
            this.root = root;
            this.excludes = excludes;
        }

        void glob(Path wasmSource, String field, String glob) throws IOException, WasmLoadException {
            Path start = base.resolve(literalPrefix(glob)).normalize();
            if (!start.startsWith(base)) {
                throw new WasmLoadException(componentId, wasmSource, field
                        + ": a glob must stay inside the manifest's directory " + base, null);
            }
            if (!Files.exists(start, LinkOption.NOFOLLOW_LINKS)) {
                LOG.warn("component '{}': {} matches no files", componentId, field);
                return;
            }
            List<PathMatcher> matchers = globMatchers(glob).toList();
            walk(start, file -> {
                Path relative = base.relativize(file);
                if (matchers.stream().anyMatch(m -> m.matches(relative))) {
                    copy(file, root.resolve(relative.toString()));
                }
            });
        }

        void placement(Path wasmSource, String field, Path source, String destination)
                throws IOException, WasmLoadException {
            Path target = root.resolve(destination.replaceFirst("^/+", "")).normalize();
            if (!target.startsWith(root)) {
                throw new WasmLoadException(componentId, wasmSource, field + ": destination '" + destination
                        + "' leaves the guest's root", null);
            }
            if (Files.isSymbolicLink(source)) {
                throw new WasmLoadException(componentId, wasmSource, field + ": source " + source
                        + " is a symbolic link (mount its target instead)", null);
            }
            if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                copy(source, target);
            } else if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(target);
                walk(source, file -> copy(file, target.resolve(source.relativize(file).toString())));
            } else {
                throw new WasmLoadException(componentId, wasmSource, field + ": source " + source
                        + " is not a file or directory", null);
            }
        }

        private void walk(Path start, FileAction action) throws IOException {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isSymbolicLink()) {
                        LOG.warn("component '{}': skipping symbolic link {} in its files", componentId, file);
                    } else if (attrs.isRegularFile() && !excluded(file)) {
                        action.accept(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }

        private boolean excluded(Path file) {
            if (excludes.isEmpty() || !file.startsWith(base)) {
                return false;
            }
            Path relative = base.relativize(file);
            return excludes.stream().anyMatch(m -> m.matches(relative));
        }

        private void copy(Path file, Path target) throws IOException {
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            count++;
        }
    }

    @FunctionalInterface
    private interface FileAction {
        void accept(Path file) throws IOException;
    }

    private static void makeReadOnly(Path root) throws IOException {
        if (!root.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "r-x------" : "r--------"));
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            List<Path> all = paths.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && root.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
                }
            }
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.warn("cannot delete the file copy {}: {}", root, e.toString());
        }
    }
}
