package dev.edge.wasm;

import com.dylibso.chicory.runtime.TrapException;

/** A trap raised by the host on behalf of the guest (e.g. an out-of-range pointer passed to a host call). */
final class GuestTrap extends TrapException {
    GuestTrap(String message) {
        super(message);
    }
}
