package dev.edge.gateway;

import dev.edge.routes.FreePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.config.ConfigException;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.sqlite.SqliteStoreBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/two-stores as its README runs it: two components, each granted only its own store; opening the
 * other component's store is Spin's access-denied, which the guest turns into a 403 with the error text.
 */
class TwoStoresExampleTest {
    private static final Path EXAMPLE = Path.of("../examples/two-stores");
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path app;

    /** A copy of the example, so its .spin state lands in the temp dir and not in the source tree. */
    @BeforeEach
    void copyExample() throws Exception {
        Files.createDirectories(app.resolve("target"));
        for (String file : List.of("spin.toml", "runtime-config.toml", "target/two-stores.wasm")) {
            Files.copy(EXAMPLE.resolve(file), app.resolve(file));
        }
    }

    @Test
    void eachComponentUsesItsOwnStoreAndIsDeniedTheOther() throws Exception {
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        String base = listen.baseUrl();
        try (EdgeApp ignored = EdgeApp.start(new EdgeApp.Settings(app.resolve("spin.toml"), listen, null,
                app.resolve("runtime-config.toml"), null, List.of()))) {
            assertThat(send("PUT", base + "/orders/o-1", "order #1: 3 apples")).isEqualTo("200 stored\n");
            assertThat(send("PUT", base + "/audit/o-1", "o-1 created by alice")).isEqualTo("200 stored\n");
            assertThat(send("GET", base + "/orders/o-1", null)).isEqualTo("200 order #1: 3 apples");
            assertThat(send("GET", base + "/audit/o-1", null)).isEqualTo("200 o-1 created by alice");

            assertThat(send("GET", base + "/orders/peek/o-1", null)).isEqualTo("403 access-denied: opening store "
                    + "'audit': component is not granted key_value_stores label 'audit'\n");
            assertThat(send("GET", base + "/audit/peek/o-1", null)).isEqualTo("403 access-denied: opening store "
                    + "'default': component is not granted key_value_stores label 'default'\n");
            assertThat(send("GET", base + "/orders/nope", null)).isEqualTo("404 not found\n");
        }
        // two stores, two files: each holds only its own component's value
        assertThat(storeValue(app.resolve(".spin/sqlite_key_value.db"), "default")).isEqualTo("order #1: 3 apples");
        assertThat(storeValue(app.resolve(".spin/audit.db"), "audit")).isEqualTo("o-1 created by alice");
    }

    @Test
    void withoutTheRuntimeConfigTheAuditLabelIsUnknownAndTheAppDoesNotLoad() {
        ListenAddress listen = new ListenAddress("127.0.0.1", FreePort.next());
        assertThatThrownBy(() -> EdgeApp.start(new EdgeApp.Settings(app.resolve("spin.toml"), listen, null, null,
                null, List.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("component.audit.key_value_stores: unknown key_value_stores label 'audit'");
    }

    private String send(String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static String storeValue(Path file, String label) throws Exception {
        try (SqliteStoreBackend backend = new SqliteStoreBackend(file, "two-stores")) {
            KeyValueStore store = backend.open("two-stores", label);
            assertThat(store.getKeys()).containsExactly("o-1");
            return new String(store.get("o-1").orElseThrow(), StandardCharsets.UTF_8);
        }
    }
}
