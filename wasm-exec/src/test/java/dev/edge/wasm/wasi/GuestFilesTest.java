package dev.edge.wasm.wasi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.FileMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestFilesTest {
    @TempDir
    Path app;
    @TempDir
    Path work;

    private static boolean matches(String glob, String path) {
        return GuestFiles.globMatchers(glob).anyMatch(m -> m.matches(Path.of(path)));
    }

    @Test
    void doubleStarAlsoMatchesZeroDirectoriesAsInSpin() {
        assertThat(matches("static/**/*", "static/index.html")).isTrue();
        assertThat(matches("static/**/*", "static/css/site.css")).isTrue();
        assertThat(matches("static/**/*", "other/index.html")).isFalse();
        assertThat(matches("*.html", "index.html")).isTrue();
        assertThat(matches("*.html", "static/index.html")).isFalse();
        assertThat(matches("./static/*.txt", "static/a.txt")).isTrue();
    }

    @Test
    void literalPrefixIsTheDirectoryToWalk() {
        assertThat(GuestFiles.literalPrefix("static/**/*")).isEqualTo("static");
        assertThat(GuestFiles.literalPrefix("a/b/*.txt")).isEqualTo("a/b");
        assertThat(GuestFiles.literalPrefix("*.html")).isEmpty();
        assertThat(GuestFiles.literalPrefix("docs/readme.md")).isEqualTo("docs/readme.md");
    }

    @Test
    void copiesGlobsPlacementsAndSingleFilesMinusExcludes() throws Exception {
        Files.createDirectories(app.resolve("static/sub"));
        Files.writeString(app.resolve("static/a.txt"), "a");
        Files.writeString(app.resolve("static/sub/b.txt"), "b");
        Files.writeString(app.resolve("static/sub/skip.tmp"), "tmp");
        Files.createDirectories(app.resolve("assets"));
        Files.writeString(app.resolve("assets/logo.svg"), "svg");
        Files.writeString(app.resolve("assets/private.key"), "key");
        Files.writeString(app.resolve("one.json"), "{}");
        try (GuestFiles files = GuestFiles.prepare("c", app.resolve("c.wasm"), List.of(
                        new FileMount("static/**/*", "/", true),
                        new FileMount("assets", "/srv", false),
                        new FileMount("one.json", "/etc/one.json", false)),
                List.of("**/*.tmp", "assets/private.key"), app, work)) {
            Path root = files.root();
            try (Stream<Path> all = Files.walk(root)) {
                assertThat(all.filter(Files::isRegularFile).map(p -> "/" + root.relativize(p)).sorted())
                        .containsExactly("/etc/one.json", "/srv/logo.svg", "/static/a.txt", "/static/sub/b.txt");
            }
            assertThat(files.fileCount()).isEqualTo(4);
            assertThat(root.resolve("srv/logo.svg")).hasContent("svg");
        }
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void noMountsMeansNoCopyAndNoPreopen() throws Exception {
        GuestFiles files = GuestFiles.prepare("c", app.resolve("c.wasm"), List.of(), List.of(), app, work);
        assertThat(files.root()).isNull();
        assertThat(files.fileCount()).isZero();
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).isEmpty();
        }
    }
}
