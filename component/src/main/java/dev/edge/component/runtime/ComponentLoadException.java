package dev.edge.component.runtime;

/** A component that cannot be loaded or linked; the message is one line naming the cause. */
public class ComponentLoadException extends Exception {
    public ComponentLoadException(String message) {
        super(message);
    }
}
