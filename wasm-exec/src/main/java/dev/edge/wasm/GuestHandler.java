package dev.edge.wasm;

/**
 * A loaded component, ready to serve requests from many threads at once. Implementations never let a
 * guest failure escape as anything but a {@link GuestException}.
 */
public interface GuestHandler extends AutoCloseable {

    /** Component id from the manifest. */
    String componentId();

    GuestResponse handle(GuestRequest request) throws GuestException;

    @Override
    void close();
}
