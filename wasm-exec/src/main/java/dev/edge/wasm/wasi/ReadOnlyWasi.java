package dev.edge.wasm.wasi;

import com.dylibso.chicory.runtime.HostFunction;
import java.util.Set;

/**
 * Makes Chicory's WASI preview 1 functions read-only for files: every call that could create, change or
 * remove something in a preopened directory answers {@code EROFS} without reaching the file system.
 * Chicory's WASI has no read-only mode of its own (it opens host files for writing when the guest asks),
 * so {@link GuestFiles} relies on this filter; stdout/stderr are not affected (they are streams, not paths).
 */
public final class ReadOnlyWasi {
    /** WASI preview 1 errno {@code rofs} ("read-only file system"), surfaced by wasi-libc as {@code EROFS}. */
    public static final int ERRNO_ROFS = 69;

    // WASI preview 1 flag bits (see the witx: oflags, fdflags, rights)
    static final long OFLAGS_CREAT = 1;
    static final long OFLAGS_EXCL = 4;
    static final long OFLAGS_TRUNC = 8;
    static final long FDFLAGS_APPEND = 1;
    static final long RIGHTS_FD_WRITE = 1L << 6;

    /** Functions that only ever modify the file system. */
    private static final Set<String> ALWAYS_REFUSED = Set.of(
            "path_create_directory", "path_remove_directory", "path_unlink_file", "path_rename",
            "path_symlink", "path_link", "path_filestat_set_times", "fd_filestat_set_size",
            "fd_filestat_set_times", "fd_allocate");

    private ReadOnlyWasi() {}

    /** Returns {@code functions} with the writing ones replaced; order and types are kept. */
    public static HostFunction[] filter(HostFunction[] functions) {
        HostFunction[] filtered = functions.clone();
        for (int i = 0; i < filtered.length; i++) {
            HostFunction f = filtered[i];
            if (ALWAYS_REFUSED.contains(f.name())) {
                filtered[i] = new HostFunction(f.module(), f.name(), f.functionType(),
                        (instance, args) -> new long[] {ERRNO_ROFS});
            } else if ("path_open".equals(f.name())) {
                var delegate = f.handle();
                filtered[i] = new HostFunction(f.module(), f.name(), f.functionType(), (instance, args) -> {
                    // path_open(fd, dirflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, fd_out)
                    long oflags = args[4];
                    long rightsBase = args[5];
                    long fdflags = args[7];
                    if ((oflags & (OFLAGS_CREAT | OFLAGS_EXCL | OFLAGS_TRUNC)) != 0
                            || (rightsBase & RIGHTS_FD_WRITE) != 0
                            || (fdflags & FDFLAGS_APPEND) != 0) {
                        return new long[] {ERRNO_ROFS};
                    }
                    return delegate.apply(instance, args);
                });
            }
        }
        return filtered;
    }
}
