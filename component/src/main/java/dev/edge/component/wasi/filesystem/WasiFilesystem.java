package dev.edge.component.wasi.filesystem;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.HostInterface;
import dev.edge.component.wasi.filesystem.Descriptor.DirectoryEntryStream;
import dev.edge.component.wasi.filesystem.Descriptor.FsError;
import dev.edge.component.wasi.io.WasiIo;
import java.util.List;

/**
 * {@code wasi:filesystem/types} and {@code wasi:filesystem/preopens} at 0.2.6, read-only over the
 * component's files ({@link FilesystemState}), preopened as {@code /} like Spin's.
 */
public final class WasiFilesystem {

    private WasiFilesystem() {
    }

    public static List<HostInterface> interfaces() {
        return List.of(types(), preopens());
    }

    public static HostInterface preopens() {
        return HostInterface.builder("wasi:filesystem/preopens", WasiIo.VERSION)
                .function("get-directories", (cx, a) -> {
                    FilesystemState state = cx.get(FilesystemState.class);
                    if (state.root() == null) {
                        return List.of();
                    }
                    var root = state.root().toAbsolutePath().normalize();
                    return List.<Object>of((Object) new Object[] {new Descriptor(root, root), "/"});
                })
                .build();
    }

    public static HostInterface types() {
        HostInterface.Builder b = HostInterface.builder("wasi:filesystem/types", WasiIo.VERSION);
        b.function("filesystem-error-code", (cx, a) -> Variant.none());
        b.function("[method]descriptor.read-via-stream", (cx, a) -> fs(() -> d(a).readViaStream((Long) a[1])));
        b.function("[method]descriptor.read", (cx, a) -> fs(() -> d(a).read((Long) a[1], (Long) a[2])));
        b.function("[method]descriptor.advise", (cx, a) -> Variant.ok(null));
        b.function("[method]descriptor.sync-data", (cx, a) -> Variant.ok(null));
        b.function("[method]descriptor.sync", (cx, a) -> Variant.ok(null));
        b.function("[method]descriptor.get-flags", (cx, a) -> Variant.ok(d(a).flags()));
        b.function("[method]descriptor.get-type", (cx, a) -> Variant.ok(d(a).type()));
        b.function("[method]descriptor.stat", (cx, a) -> fs(() -> d(a).stat()));
        b.function("[method]descriptor.stat-at", (cx, a) -> fs(() -> d(a).statAt((String) a[2])));
        b.function("[method]descriptor.open-at",
                (cx, a) -> fs(() -> d(a).openAt((String) a[2], (Integer) a[3], (Integer) a[4])));
        b.function("[method]descriptor.read-directory", (cx, a) -> fs(() -> d(a).readDirectory()));
        b.function("[method]descriptor.readlink-at", (cx, a) -> fs(() -> {
            d(a).resolve((String) a[1]);
            throw new FsError(Descriptor.INVALID); // the copy holds no symbolic links
        }));
        b.function("[method]descriptor.is-same-object", (cx, a) -> d(a).isSameObject((Descriptor) a[1]));
        b.function("[method]descriptor.metadata-hash", (cx, a) -> fs(() -> d(a).metadataHash(d(a).path())));
        b.function("[method]descriptor.metadata-hash-at",
                (cx, a) -> fs(() -> d(a).metadataHash(d(a).resolve((String) a[2]))));
        b.function("[method]directory-entry-stream.read-directory-entry",
                (cx, a) -> Variant.ok(((DirectoryEntryStream) a[0]).nextEntry()));
        // writes on a file of a read-only mount: bad-descriptor (wasmtime's answer without FilePerms::WRITE)
        for (String write : List.of("write-via-stream", "append-via-stream", "set-size", "set-times", "write")) {
            b.function("[method]descriptor." + write, (cx, a) -> error(Descriptor.BAD_DESCRIPTOR));
        }
        // changes to a directory of a read-only mount: not-permitted (without DirPerms::MUTATE)
        for (String mutate : List.of("create-directory-at", "set-times-at", "link-at", "remove-directory-at",
                "rename-at", "symlink-at", "unlink-file-at")) {
            b.function("[method]descriptor." + mutate, (cx, a) -> error(Descriptor.NOT_PERMITTED));
        }
        return b.build();
    }

    @FunctionalInterface
    private interface FsCall {
        Object call() throws FsError;
    }

    private static Variant fs(FsCall call) {
        try {
            return Variant.ok(call.call());
        } catch (FsError e) {
            return error(e.code);
        }
    }

    private static Variant error(int code) {
        return Variant.err(code);
    }

    private static Descriptor d(Object[] a) {
        return (Descriptor) a[0];
    }
}
