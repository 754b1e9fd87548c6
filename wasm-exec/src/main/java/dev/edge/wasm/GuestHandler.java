package dev.edge.wasm;

/**
 * A loaded component, ready to serve requests from many threads at once. Implementations never let a
 * guest failure escape as anything but a {@link GuestException}.
 */
public interface GuestHandler extends AutoCloseable {

    /** Component id from the manifest. */
    String componentId();

    GuestResponse handle(GuestRequest request) throws GuestException;

    /**
     * Runs the request on the calling thread, which must not block (an IO thread), if the guest can finish it
     * without a host call that might block and within a short CPU budget; null if not, with no effect outside
     * this handler: the caller then calls {@link #handle} where blocking is allowed. Never waits for anything.
     */
    default GuestResponse tryInline(GuestRequest request) throws GuestException {
        return null;
    }

    @Override
    void close();
}
