package dev.edge.wasm;

/**
 * A request the guest could not answer: a trap, a runaway guest past its deadline, a memory limit,
 * oversized output. {@link #status()} is the HTTP status the gateway answers with (empty body).
 */
public final class GuestException extends Exception {
    public enum Reason {
        /** The guest trapped (unreachable, out-of-bounds, stack overflow, ...): 500. */
        TRAP(500),
        /** The guest ran past the request deadline and was interrupted: 504. */
        DEADLINE(504),
        /** The guest's response was larger than the response limit: 500. */
        RESPONSE_TOO_LARGE(500),
        /** WAGI output whose status line could not be parsed: 502. */
        BAD_GATEWAY(502),
        /**
         * The gateway is out of a shared resource for now (the guest memory budget, every execution slot): 503
         * with {@code Retry-After}; the guest never ran.
         */
        OVERLOADED(503),
        /** Any other failure inside the executor: 500. */
        INTERNAL(500);

        private final int status;

        Reason(int status) { this.status = status; }

        public int status() { return status; }
    }

    private final Reason reason;
    private final String componentId;

    public GuestException(Reason reason, String componentId, String message, Throwable cause) {
        super("component '" + componentId + "': " + message, cause);
        this.reason = reason;
        this.componentId = componentId;
    }

    public Reason reason() { return reason; }

    public int status() { return reason.status(); }

    public String componentId() { return componentId; }
}
