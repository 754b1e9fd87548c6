package dev.edge.wasm;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasm.ChicoryException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How both executors turn what a guest call threw into a {@link GuestException}, with one log line that
 * names the component: past the deadline it is a 504, otherwise a trap (500); an oversized response
 * or a failure of the executor itself is a 500.
 */
public final class GuestFailures {
    private static final Logger LOG = LoggerFactory.getLogger(GuestFailures.class);

    private final String componentId;
    private final Duration deadline;

    public GuestFailures(String componentId, Duration deadline) {
        this.componentId = componentId;
        this.deadline = deadline;
    }

    /**
     * @param failure        what the guest call threw: a Chicory trap or interrupt, or a JVM stack overflow
     * @param deadlinePassed whether the watchdog had fired (a deep recursion is a trap either way)
     */
    public GuestException of(ChicoryException failure, boolean deadlinePassed) {
        if (deadlinePassed) {
            return deadline(failure);
        }
        return trap(failure instanceof ChicoryInterruptedException ? "interrupted" : CompiledModule.describe(failure),
                failure);
    }

    public GuestException stackOverflow() {
        return trap("call stack exhausted (deep recursion)", null);
    }

    /** The guest's response passed the response limit. */
    public GuestException responseTooLarge(String message) {
        LOG.warn("component '{}': {}", componentId, message);
        return new GuestException(GuestException.Reason.RESPONSE_TOO_LARGE, componentId, message, null);
    }

    /** A shared resource (guest memory budget, execution slots) is used up; the guest did not run. */
    public GuestException overloaded(String message) {
        LOG.warn("component '{}': overloaded: {}", componentId, message);
        return new GuestException(GuestException.Reason.OVERLOADED, componentId, message, null);
    }

    /** A failure of the executor itself, not of the guest. */
    public GuestException internal(RuntimeException failure) {
        LOG.error("component '{}': executor failure", componentId, failure);
        return new GuestException(GuestException.Reason.INTERNAL, componentId, failure.toString(), failure);
    }

    public GuestException deadline(Throwable cause) {
        LOG.warn("component '{}': interrupted after the request deadline of {} ms", componentId, deadline.toMillis());
        return new GuestException(GuestException.Reason.DEADLINE, componentId,
                "request deadline of " + deadline.toMillis() + " ms exceeded", cause);
    }

    private GuestException trap(String message, Throwable cause) {
        LOG.warn("component '{}': guest trapped: {}", componentId, message);
        return new GuestException(GuestException.Reason.TRAP, componentId, "guest trapped: " + message, cause);
    }
}
