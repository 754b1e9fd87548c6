package dev.edge.wasm.wagi;

import static dev.edge.wasm.wagi.WagiGuests.Req;
import static dev.edge.wasm.wagi.WagiGuests.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.Executor;
import dev.edge.config.FileMount;
import dev.edge.wasm.DeadlineWatchdog;
import dev.edge.wasm.GuestResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A component's {@code files} from a real guest's point of view (C stdio fopen): mounted files are readable
 * at their destinations; nothing outside them is reachable, and nothing can be written.
 */
class WagiFilesTest {
    private static final String SECRET = "TOP-SECRET-CONTENT";

    private final DeadlineWatchdog watchdog = new DeadlineWatchdog();
    private WagiHandler handler;

    @TempDir
    Path app;
    @TempDir
    Path stateDir;

    @BeforeEach
    void setUp() throws Exception {
        // app/secret.txt sits next to the mounted trees; the guest must never see it
        Files.writeString(app.resolve("secret.txt"), SECRET);
        Files.createDirectories(app.resolve("static/css"));
        Files.writeString(app.resolve("static/index.html"), "<h1>hello</h1>");
        Files.writeString(app.resolve("static/css/site.css"), "body{}");
        Files.writeString(app.resolve("static/notes.draft"), "draft");
        Files.createSymbolicLink(app.resolve("static/leak.txt"), app.resolve("secret.txt"));
        Files.createSymbolicLink(app.resolve("static/etc"), Path.of("/etc"));
        Files.createDirectories(app.resolve("assets/img"));
        Files.writeString(app.resolve("assets/img/logo.svg"), "<svg/>");
        Files.writeString(app.resolve("config.json"), "{\"a\":1}");
        List<FileMount> files = List.of(
                new FileMount("static/**/*", "/", true),
                new FileMount("assets", "/srv/assets", false),
                new FileMount("config.json", "/etc/app/config.json", false));
        handler = WagiHandler.load(WagiGuests.component("files", WagiGuests.CGI, Map.of(), files,
                        List.of("static/**/*.draft")), Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"), app,
                stateDir, WagiGuests.limits(), (c, s, l) -> { }, watchdog);
    }

    @AfterEach
    void tearDown() {
        handler.close();
        watchdog.close();
    }

    private GuestResponse open(String path, String mode) throws Exception {
        return handler.handle(Req.get("/").mode("file").header("x-path", path).header("x-fopen", mode).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/static/index.html", "static/index.html", "./static/index.html",
            "/static/css/../index.html"})
    void globFilesAreReadableAtTheirRelativePath(String path) throws Exception {
        GuestResponse response = open(path, "r");
        assertThat(response.status()).isEqualTo(200);
        assertThat(text(response)).isEqualTo("<h1>hello</h1>");
    }

    @Test
    void placementsAreReadableAtTheirDestination() throws Exception {
        assertThat(text(open("/srv/assets/img/logo.svg", "r"))).isEqualTo("<svg/>");
        assertThat(text(open("/etc/app/config.json", "r"))).isEqualTo("{\"a\":1}");
        assertThat(text(open("/static/css/site.css", "r"))).isEqualTo("body{}");
    }

    @Test
    void excludedFilesAreNotMounted() throws Exception {
        assertThat(open("/static/notes.draft", "r").status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../secret.txt", "/../secret.txt", "/static/../../secret.txt", "../../../../etc/passwd",
            "/etc/passwd", "/secret.txt", "secret.txt", "/static/leak.txt", "/static/etc/passwd", "/proc/self/environ",
            "/srv/assets/../../../secret.txt"})
    void nothingOutsideTheMountsIsReachable(String path) throws Exception {
        GuestResponse response = open(path, "r");
        assertThat(response.status()).as(path).isEqualTo(404);
        assertThat(text(response)).startsWith("errno=").doesNotContain(SECRET).doesNotContain("root:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"w", "a", "r+", "w+"})
    void mountedFilesCannotBeWritten(String mode) throws Exception {
        GuestResponse response = open("/static/index.html", mode);
        assertThat(response.status()).as(mode).isEqualTo(404);
        assertThat(text(response)).isEqualTo("errno=EROFS\n");
        assertThat(text(open("/static/index.html", "r"))).isEqualTo("<h1>hello</h1>");
        assertThat(Files.readString(app.resolve("static/index.html"))).isEqualTo("<h1>hello</h1>");
    }

    @Test
    void newFilesCannotBeCreated() throws Exception {
        assertThat(text(open("/static/new.txt", "w"))).isEqualTo("errno=EROFS\n");
        assertThat(text(open("/new.txt", "w"))).isEqualTo("errno=EROFS\n");
        assertThat(open("/static/new.txt", "r").status()).isEqualTo(404);
        assertThat(Files.exists(app.resolve("static/new.txt"))).isFalse();
    }

    @Test
    void theCopyHoldsOnlyRegularFilesAndGoesAwayOnClose() throws Exception {
        Path root = handler.files().root();
        assertThat(root).startsWith(stateDir.resolve("files"));
        assertThat(handler.files().fileCount()).isEqualTo(4);
        try (var paths = Files.walk(root)) {
            assertThat(paths.filter(Files::isSymbolicLink)).isEmpty();
        }
        handler.close();
        assertThat(root).doesNotExist();
        assertThat(app.resolve("static/index.html")).exists();
    }

    @Test
    void withoutFilesTheGuestHasNoPreopenAtAll() throws Exception {
        try (WagiHandler bare = WagiGuests.cgi(Executor.wagi(Executor.DEFAULT_WAGI_ARGV, "_start"), Map.of(),
                WagiGuests.limits(), (c, s, l) -> { }, watchdog, stateDir)) {
            GuestResponse response = bare.handle(Req.get("/").mode("file").header("x-path", "/etc/passwd").build());
            assertThat(response.status()).isEqualTo(404);
            assertThat(bare.files().root()).isNull();
        }
    }
}
