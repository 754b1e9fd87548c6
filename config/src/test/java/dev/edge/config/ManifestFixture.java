package dev.edge.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** An application directory with a module, a static directory, and a spin.toml written per test. */
final class ManifestFixture {
    static final byte[] WASM = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    static final String HEADER = """
            spin_manifest_version = 2

            [application]
            name = "app"
            """;
    static final String MINIMAL = HEADER + """

            [[trigger.http]]
            route = "/..."
            component = "hello"

            [component.hello]
            source = "app.wasm"
            """;

    final Path dir;
    final Path manifest;

    ManifestFixture(Path dir) {
        this.dir = dir;
        this.manifest = dir.resolve("spin.toml");
        try {
            Files.write(dir.resolve("app.wasm"), WASM);
            Files.createDirectories(dir.resolve("static"));
            Files.writeString(dir.resolve("static/index.html"), "<h1>hi</h1>");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    AppManifest load(String toml) {
        write(toml);
        return ManifestLoader.load(manifest);
    }

    void write(String toml) {
        try {
            Files.writeString(manifest, toml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** MINIMAL with {@code lines} appended to the hello component. */
    static String withComponentLines(String lines) {
        return MINIMAL + lines + "\n";
    }
}
