package dev.edge.component.wasi.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.HostInterface;
import dev.edge.component.wasi.TestHostContext;
import dev.edge.component.wasi.io.HostInputStream;
import dev.edge.component.wasi.io.WasiIo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WasiFilesystemTest {
    private static final int NOT_PERMITTED = 31;
    private static final int NO_ENTRY = 20;
    private static final int BAD_DESCRIPTOR = 3;
    private static final int NOT_DIRECTORY = 24;

    @TempDir
    Path temp;
    private Path files;
    private final HostInterface types = WasiFilesystem.types();
    private TestHostContext cx;
    private Descriptor root;

    @BeforeEach
    void preopen() throws IOException {
        files = Files.createDirectories(temp.resolve("root"));
        Files.writeString(files.resolve("index.html"), "<h1>hi</h1>");
        Files.createDirectories(files.resolve("static"));
        Files.writeString(files.resolve("static/a.txt"), "0123456789");
        Files.writeString(files.getParent().resolve("outside.txt"), "secret");
        cx = new TestHostContext().with(new FilesystemState(files));
        List<?> dirs = (List<?>) cx.call(WasiFilesystem.preopens(), "get-directories");
        assertThat(dirs).hasSize(1);
        Object[] preopen = (Object[]) dirs.get(0);
        assertThat(preopen[1]).isEqualTo("/");
        root = (Descriptor) preopen[0];
    }

    @Test
    void filesAreReadThroughStreamsAndPositionedReads() {
        Descriptor a = (Descriptor) ok(cx.call(types, "[method]descriptor.open-at", root, 0, "static/a.txt", 0, 1));
        HostInputStream in = (HostInputStream) ok(cx.call(types, "[method]descriptor.read-via-stream", a, 3L));
        Variant read = (Variant) cx.call(WasiIo.streams(), "[method]input-stream.blocking-read", in, 100L);
        assertThat(new String((byte[]) read.payload(), StandardCharsets.UTF_8)).isEqualTo("3456789");
        Object[] part = (Object[]) ok(cx.call(types, "[method]descriptor.read", a, 4L, 2L));
        assertThat(new String((byte[]) part[0], StandardCharsets.UTF_8)).isEqualTo("2345");
        assertThat(part[1]).isEqualTo(false);
        Object[] tail = (Object[]) ok(cx.call(types, "[method]descriptor.read", a, 100L, 8L));
        assertThat(new String((byte[]) tail[0], StandardCharsets.UTF_8)).isEqualTo("89");
        assertThat(tail[1]).isEqualTo(true);
        Object[] stat = (Object[]) ok(cx.call(types, "[method]descriptor.stat", a));
        assertThat(stat[0]).isEqualTo(6); // regular-file
        assertThat(stat[2]).isEqualTo(10L);
        assertThat(cx.call(types, "[method]descriptor.get-type", root)).isEqualTo(Variant.ok(3));
        assertThat(cx.call(types, "[method]descriptor.get-flags", a)).isEqualTo(Variant.ok(1)); // read only
    }

    @Test
    void directoriesListInNameOrder() {
        Object stream = ok(cx.call(types, "[method]descriptor.read-directory", root));
        Object[] first = (Object[]) ((Variant) ok(cx.call(types,
                "[method]directory-entry-stream.read-directory-entry", stream))).payload();
        Object[] second = (Object[]) ((Variant) ok(cx.call(types,
                "[method]directory-entry-stream.read-directory-entry", stream))).payload();
        assertThat(first).containsExactly(6, "index.html");
        assertThat(second).containsExactly(3, "static");
        assertThat(cx.call(types, "[method]directory-entry-stream.read-directory-entry", stream))
                .isEqualTo(Variant.ok(Variant.none()));
        Object[] stat = (Object[]) ok(cx.call(types, "[method]descriptor.stat-at", root, 0, "static"));
        assertThat(stat[0]).isEqualTo(3);
    }

    @Test
    void nothingOutsideTheRootIsReachable() {
        assertThat(cx.call(types, "[method]descriptor.open-at", root, 0, "../outside.txt", 0, 1))
                .isEqualTo(Variant.err(NOT_PERMITTED));
        assertThat(cx.call(types, "[method]descriptor.open-at", root, 0, "static/../../outside.txt", 0, 1))
                .isEqualTo(Variant.err(NOT_PERMITTED));
        assertThat(cx.call(types, "[method]descriptor.open-at", root, 0, "/etc/passwd", 0, 1))
                .isEqualTo(Variant.err(NOT_PERMITTED));
        assertThat(cx.call(types, "[method]descriptor.stat-at", root, 0, "../outside.txt"))
                .isEqualTo(Variant.err(NOT_PERMITTED));
        assertThat(cx.call(types, "[method]descriptor.open-at", root, 0, "nope.txt", 0, 1))
                .isEqualTo(Variant.err(NO_ENTRY));
        assertThat(cx.call(types, "[method]descriptor.open-at", root, 0, "index.html", 2, 1)) // directory flag
                .isEqualTo(Variant.err(NOT_DIRECTORY));
    }

    @Test
    void everyWriteIsRefused() throws IOException {
        assertThat(cx.call(types, "[method]descriptor.open-at", root, 0, "new.txt", 1, 1)) // create
                .isEqualTo(Variant.err(NOT_PERMITTED));
        assertThat(cx.call(types, "[method]descriptor.open-at", root, 0, "index.html", 0, 3)) // read|write
                .isEqualTo(Variant.err(NOT_PERMITTED));
        Descriptor index = (Descriptor) ok(cx.call(types, "[method]descriptor.open-at", root, 0, "index.html", 0, 1));
        assertThat(cx.call(types, "[method]descriptor.write", index, new byte[] {1}, 0L))
                .isEqualTo(Variant.err(BAD_DESCRIPTOR));
        assertThat(cx.call(types, "[method]descriptor.write-via-stream", index, 0L))
                .isEqualTo(Variant.err(BAD_DESCRIPTOR));
        assertThat(cx.call(types, "[method]descriptor.unlink-file-at", root, "index.html"))
                .isEqualTo(Variant.err(NOT_PERMITTED));
        assertThat(cx.call(types, "[method]descriptor.create-directory-at", root, "d"))
                .isEqualTo(Variant.err(NOT_PERMITTED));
        assertThat(Files.readString(files.resolve("index.html"))).isEqualTo("<h1>hi</h1>");
        assertThat(files.resolve("d")).doesNotExist();
    }

    @Test
    void aComponentWithoutFilesHasNoPreopen() {
        TestHostContext none = new TestHostContext().with(FilesystemState.none());
        assertThat(none.call(WasiFilesystem.preopens(), "get-directories")).isEqualTo(List.of());
    }

    private static Object ok(Object result) {
        Variant v = (Variant) result;
        assertThat(v.isOk()).as("ok, was %s", v).isTrue();
        return v.payload();
    }
}
