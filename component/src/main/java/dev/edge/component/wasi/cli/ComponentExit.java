package dev.edge.component.wasi.cli;

import dev.edge.component.host.ComponentTrap;

/** {@code wasi:cli/exit}: ends the instance; for an HTTP component that fails its request, as in Spin. */
public final class ComponentExit extends ComponentTrap {
    private final int status;

    public ComponentExit(int status) {
        super("component exited with status " + status);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
