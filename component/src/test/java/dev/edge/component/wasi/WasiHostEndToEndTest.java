package dev.edge.component.wasi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.component.runtime.Component;
import dev.edge.component.runtime.ComponentInstance;
import dev.edge.component.runtime.ComponentLoadException;
import dev.edge.component.wasi.cli.CliState;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Real components (component/src/test/components) linked against {@link WasiHost} by component-core's runtime. */
class WasiHostEndToEndTest {
    private static final long MEMORY = 16L << 20;
    private static final String CLI = "test:guest/cli@0.1.0#";

    @Test
    void aComponentBuiltAgainst020WritesToTheComponentLogsAndReadsItsEnvironment() throws Exception {
        Component component = Component.load(bytes("cli-hello"), WasiHost.interfaces(), MEMORY);
        List<String> lines = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GREETING", "hi");
        env.put("MODE", "test");
        env.put("EMPTY", "");
        CliState cli = new CliState("hello", env, (id, stream, line) -> lines.add(id + " " + stream + " " + line));
        try (ComponentInstance instance = component.instantiate(new TestHostContext().with(cli))) {
            assertThat(instance.function(CLI + "hello").call()).isEqualTo(0); // ok
            assertThat(lines).containsExactly("hello stdout hello from wasm");
            assertThat(instance.function(CLI + "env-count").call()).isEqualTo(3);
            assertThat(instance.liveHandles()).isZero();
        }
    }

    @Test
    void wasiSocketsIsRefusedAtLoadNamingTheInterface() {
        assertThatThrownBy(() -> Component.load(bytes("sockets-import"), WasiHost.interfaces(), MEMORY))
                .isInstanceOf(ComponentLoadException.class)
                .hasMessageContaining("wasi:sockets/instance-network@0.2.0");
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = WasiHostEndToEndTest.class.getResourceAsStream("/components/" + name + ".wasm")) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
