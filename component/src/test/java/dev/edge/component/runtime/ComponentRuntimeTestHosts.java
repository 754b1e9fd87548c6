package dev.edge.component.runtime;

import dev.edge.component.host.HostInterface;

/** The host interface values.wat imports, for tests outside this package. */
public final class ComponentRuntimeTestHosts {
    private ComponentRuntimeTestHosts() {}

    public static HostInterface values() {
        return ComponentRuntimeTest.host("0.1.0");
    }
}
