package dev.edge.component;

import java.io.IOException;
import java.io.InputStream;

/** The test components built from component/src/test/components/*.wat by scripts/build-wasm.sh. */
public final class TestComponents {
    private TestComponents() {}

    public static byte[] bytes(String name) {
        try (InputStream in = TestComponents.class.getResourceAsStream("/components/" + name + ".wasm")) {
            if (in == null) {
                throw new IllegalStateException("missing test component " + name + " (run scripts/build-wasm.sh)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
