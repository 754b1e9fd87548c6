package dev.edge.component.abi;

import dev.edge.component.host.ComponentTrap;
import java.util.ArrayList;
import java.util.List;

/**
 * The handle bookkeeping of one cross-component call: own handles lent as {@code borrow} arguments to
 * the host (released when the call returns), and borrow handles given to the guest (which it must drop
 * before it returns).
 */
public final class CallScope {
    private final List<HandleTable.Entry> lent = new ArrayList<>();
    int borrowsOut;

    void lend(HandleTable.Entry entry) {
        entry.lendCount++;
        lent.add(entry);
    }

    /** Ends a host call: lent handles become droppable again. */
    public void releaseLent() {
        for (HandleTable.Entry entry : lent) {
            entry.lendCount--;
        }
        lent.clear();
    }

    /** Ends an export call: traps if the guest kept a borrow handle it was given. */
    public void checkBorrowsDropped() {
        if (borrowsOut != 0) {
            throw new ComponentTrap(borrowsOut + " borrowed handle(s) not dropped before the call returned");
        }
    }
}
