package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;

/** The {@code future-trailers} resource: edge's bodies arrive whole, so it is ready with no trailers. */
public final class FutureTrailers {
    private boolean taken;

    /** {@code get}: {@code some(ok(ok(none)))} once, then {@code some(err)}. */
    Variant get() {
        if (taken) {
            return Variant.some(Variant.err(null));
        }
        taken = true;
        return Variant.some(Variant.ok(Variant.ok(Variant.none())));
    }
}
