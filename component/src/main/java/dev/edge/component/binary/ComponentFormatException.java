package dev.edge.component.binary;

/** A component binary that edge cannot read: the message is one line and names the byte offset. */
public class ComponentFormatException extends RuntimeException {
    public ComponentFormatException(String message) {
        super(message);
    }
}
