package dev.edge.component.host;

/** Traps the component instance that made the call: its request fails, the instance is discarded. */
public class ComponentTrap extends RuntimeException {
    public ComponentTrap(String message) {
        super(message);
    }

    public ComponentTrap(String message, Throwable cause) {
        super(message, cause);
    }
}
