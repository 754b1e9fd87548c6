package dev.edge.gateway;

import dev.edge.config.ConfigException;
import dev.edge.wasm.WasmLoadException;
import java.io.PrintStream;

/** The one line {@code edge up} and {@code edge check} print when an application cannot start. */
final class StartFailures {
    private StartFailures() {}

    /** Prints {@code e} as one line on {@code err}; returns the exit code, 1. */
    static int report(PrintStream err, Exception e) {
        err.println(line(e));
        return 1;
    }

    /** {@code e} as one line, no stack trace. */
    static String line(Exception e) {
        if (e instanceof ConfigException || e instanceof ListenException) {
            return e.getMessage();
        } else if (e instanceof WasmLoadException || e instanceof IllegalArgumentException) {
            return "Error: " + e.getMessage();
        }
        return "Error: cannot start: " + rootMessage(e);
    }

    /** Why {@code e} stopped a load, as one line without the start's "Error: cannot start:" (a failed reload's reason). */
    static String reason(Exception e) {
        if (e instanceof ConfigException || e instanceof ListenException || e instanceof WasmLoadException
                || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        return rootMessage(e);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }
}
