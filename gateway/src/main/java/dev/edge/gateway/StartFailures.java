package dev.edge.gateway;

import dev.edge.config.ConfigException;
import dev.edge.wasm.WasmLoadException;
import java.io.PrintStream;

/** The one line {@code edge up} and {@code edge check} print when an application cannot start. */
final class StartFailures {
    private StartFailures() {}

    /** Prints {@code e} as one line on {@code err}; returns the exit code, 1. */
    static int report(PrintStream err, Exception e) {
        if (e instanceof ConfigException || e instanceof ListenException) {
            err.println(e.getMessage());
        } else if (e instanceof WasmLoadException || e instanceof IllegalArgumentException) {
            err.println("Error: " + e.getMessage());
        } else {
            err.println("Error: cannot start: " + rootMessage(e));
        }
        return 1;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }
}
