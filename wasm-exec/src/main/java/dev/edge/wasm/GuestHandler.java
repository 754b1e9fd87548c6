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

    /**
     * Waits for this handler's admission without holding a thread: {@code admitted} gets a permit (now or when a slot
     * frees) under which to call {@link #handle} ({@link GuestAdmission.Permit#run}), or {@code refused} runs (answer
     * 503). Exactly one runs, once. Default: no admission control, admitted at once with no permit (null).
     */
    default void enter(java.util.function.Consumer<GuestAdmission.Permit> admitted, Runnable refused) {
        admitted.accept(null);
    }

    @Override
    void close();
}
