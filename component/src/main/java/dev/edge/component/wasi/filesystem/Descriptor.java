package dev.edge.component.wasi.filesystem;

import dev.edge.component.abi.Variant;
import dev.edge.component.wasi.io.HostInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code descriptor} resource: a file or directory inside the preopened root, read-only. Paths are
 * resolved lexically under the root: an absolute path or one whose {@code ..} leaves the root is
 * {@code not-permitted} (the copy holds no symbolic links, so nothing else can leave it). As in wasmtime
 * for a read-only mount, changing a directory is {@code not-permitted} and writing a file is
 * {@code bad-descriptor}.
 */
public final class Descriptor {
    // error-code cases
    static final int BAD_DESCRIPTOR = 3;
    static final int EXIST = 7;
    static final int INVALID = 12;
    static final int IO = 13;
    static final int IS_DIRECTORY = 14;
    static final int NO_ENTRY = 20;
    static final int NOT_DIRECTORY = 24;
    static final int NOT_PERMITTED = 31;
    // descriptor-type cases
    static final int TYPE_UNKNOWN = 0;
    static final int TYPE_DIRECTORY = 3;
    static final int TYPE_REGULAR_FILE = 6;
    // open-flags bits
    private static final int OPEN_CREATE = 1;
    private static final int OPEN_DIRECTORY = 2;
    private static final int OPEN_EXCLUSIVE = 4;
    private static final int OPEN_TRUNCATE = 8;
    // descriptor-flags bits
    private static final int FLAG_READ = 1;
    private static final int FLAG_WRITE = 2;
    private static final int FLAG_MUTATE_DIRECTORY = 32;

    private final Path root;
    private final Path path;

    Descriptor(Path root, Path path) {
        this.root = root;
        this.path = path;
    }

    /** Thrown with a filesystem {@code error-code} case. */
    static final class FsError extends Exception {
        final int code;

        FsError(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    boolean isDirectory() {
        return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    }

    Path resolve(String relative) throws FsError {
        if (relative.startsWith("/") || relative.indexOf('\0') >= 0) {
            throw new FsError(NOT_PERMITTED);
        }
        if (!isDirectory()) {
            throw new FsError(NOT_DIRECTORY);
        }
        Path target = path.resolve(relative).normalize();
        if (!target.startsWith(root)) {
            throw new FsError(NOT_PERMITTED);
        }
        return target;
    }

    HostInputStream readViaStream(long offset) throws FsError {
        if (isDirectory()) {
            throw new FsError(IS_DIRECTORY);
        }
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            channel.position(offset < 0 ? Long.MAX_VALUE : offset);
            InputStream in = Channels.newInputStream(channel);
            return new HostInputStream(in);
        } catch (IOException e) {
            throw mapped(e);
        }
    }

    /** {@code read}: (bytes, end-of-file reached). */
    Object[] read(long length, long offset) throws FsError {
        if (isDirectory()) {
            throw new FsError(IS_DIRECTORY);
        }
        int max = (int) Math.min(Long.compareUnsigned(length, HostInputStream.MAX_CHUNK) > 0 ? HostInputStream.MAX_CHUNK : length,
                HostInputStream.MAX_CHUNK);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (offset < 0 || offset >= size) {
                return new Object[] {new byte[0], true};
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(max, size - offset));
            while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
                // read until the buffer is full or the file ends
            }
            return new Object[] {buffer.array(), offset + buffer.position() >= size};
        } catch (IOException e) {
            throw mapped(e);
        }
    }

    int flags() {
        return FLAG_READ;
    }

    int type() {
        return typeOf(path);
    }

    Object[] stat() throws FsError {
        return statOf(path);
    }

    Object[] statAt(String relative) throws FsError {
        return statOf(resolve(relative));
    }

    Descriptor openAt(String relative, int openFlags, int descriptorFlags) throws FsError {
        if ((openFlags & (OPEN_CREATE | OPEN_EXCLUSIVE | OPEN_TRUNCATE)) != 0
                || (descriptorFlags & (FLAG_WRITE | FLAG_MUTATE_DIRECTORY)) != 0) {
            throw new FsError(NOT_PERMITTED);
        }
        Path target = resolve(relative);
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FsError(NO_ENTRY);
        }
        if ((openFlags & OPEN_DIRECTORY) != 0 && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FsError(NOT_DIRECTORY);
        }
        return new Descriptor(root, target);
    }

    DirectoryEntryStream readDirectory() throws FsError {
        if (!isDirectory()) {
            throw new FsError(NOT_DIRECTORY);
        }
        List<Object[]> entries = new ArrayList<>();
        try (Stream<Path> children = Files.list(path)) {
            children.sorted().forEach(child -> entries.add(
                    new Object[] {typeOf(child), child.getFileName().toString()}));
        } catch (IOException e) {
            throw mapped(e);
        }
        return new DirectoryEntryStream(entries);
    }

    boolean isSameObject(Descriptor other) {
        return path.equals(other.path);
    }

    /** {@code metadata-hash-value}: from the path, size and modification time (what wasmtime hashes too). */
    Object[] metadataHash(Path target) throws FsError {
        try {
            BasicFileAttributes attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            long lower = target.toString().hashCode() * 0x9E3779B97F4A7C15L ^ attrs.size();
            long upper = attrs.lastModifiedTime().toMillis() * 31 + root.toString().hashCode();
            return new Object[] {lower, upper};
        } catch (IOException e) {
            throw mapped(e);
        }
    }

    Path path() {
        return path;
    }

    private static int typeOf(Path p) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return TYPE_DIRECTORY;
        }
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? TYPE_REGULAR_FILE : TYPE_UNKNOWN;
    }

    private static Object[] statOf(Path p) throws FsError {
        try {
            BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new Object[] {typeOf(p), 1L, attrs.size(), time(attrs.lastAccessTime()),
                    time(attrs.lastModifiedTime()), time(attrs.lastModifiedTime())};
        } catch (IOException e) {
            throw mapped(e);
        }
    }

    private static Variant time(FileTime t) {
        java.time.Instant i = t.toInstant();
        return Variant.some(new Object[] {i.getEpochSecond(), i.getNano()});
    }

    static FsError mapped(IOException e) {
        if (e instanceof NoSuchFileException) {
            return new FsError(NO_ENTRY);
        }
        if (e instanceof NotDirectoryException) {
            return new FsError(NOT_DIRECTORY);
        }
        if (e instanceof AccessDeniedException) {
            return new FsError(NOT_PERMITTED);
        }
        return new FsError(IO);
    }

    /** The {@code directory-entry-stream} resource: entries in name order. */
    static final class DirectoryEntryStream {
        private final List<Object[]> entries;
        private int next;

        DirectoryEntryStream(List<Object[]> entries) {
            this.entries = entries;
        }

        Variant nextEntry() {
            return next < entries.size() ? Variant.some(entries.get(next++)) : Variant.none();
        }
    }
}
