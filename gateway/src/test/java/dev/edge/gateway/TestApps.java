package dev.edge.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Manifests for gateway tests, pointing at test guests built by scripts/build-wasm.sh. */
final class TestApps {
    static final Path WASM_EXEC_GUESTS = Path.of("../wasm-exec/src/test/resources/guests").toAbsolutePath().normalize();
    static final Path ROUTES_GUESTS = Path.of("../routes/src/test/resources/guests").toAbsolutePath().normalize();
    static final Path TUTORIAL = Path.of("../examples/hello-key-value-store/target/hello-key-value-store.wasm")
            .toAbsolutePath().normalize();

    private TestApps() {}

    static Path wasmExecGuest(String name) {
        return WASM_EXEC_GUESTS.resolve(name + ".wasm");
    }

    static Path routesGuest(String name) {
        return ROUTES_GUESTS.resolve(name + ".wasm");
    }

    /** Writes {@code dir/spin.toml} with {@code body} after an [application] table named {@code name}. */
    static Path manifest(Path dir, String name, String body) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "%s"
                version = "1.0.0"
                """.formatted(name) + body);
    }

    /** A [[trigger.http]] plus its [component.id] for a guest file. */
    static String component(String route, String id, Path wasm, String... stores) {
        StringBuilder labels = new StringBuilder();
        for (String store : stores) {
            labels.append(labels.length() == 0 ? "" : ", ").append('"').append(store).append('"');
        }
        return """
                [[trigger.http]]
                route = "%s"
                component = "%s"
                [component.%s]
                source = "%s"
                key_value_stores = [%s]
                """.formatted(route, id, id, wasm.toString().replace("\\", "\\\\"), labels);
    }

    /** A [[trigger.http]] answering {@code 200 body} with no guest: what must keep answering while guests are busy. */
    static String staticResponse(String route, String body) {
        return """
                [[trigger.http]]
                route = "%s"
                static_response = { status_code = 200, body = "%s" }
                """.formatted(route, body);
    }
}
