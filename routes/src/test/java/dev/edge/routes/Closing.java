package dev.edge.routes;

import java.util.ArrayList;
import java.util.List;

/** Test teardown: closes the server, then what else the test class started, each even if one before it failed. */
final class Closing {
    private Closing() {}

    /** Closes {@code server} (may be null: start failed) and then {@code started}; rethrows the first failure. */
    static void all(AutoCloseable server, List<? extends AutoCloseable> started) throws Exception {
        List<AutoCloseable> all = new ArrayList<>();
        if (server != null) {
            all.add(server);
        }
        all.addAll(started);
        Exception first = null;
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
