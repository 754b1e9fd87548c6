package dev.edge.routes;

import dev.edge.wasm.MemoryBudget;
import io.undertow.server.HttpServerExchange;

/**
 * The share of the node's body-buffer {@link MemoryBudget} that one request's buffered body holds. Bytes are
 * reserved before they are buffered and all given back when the exchange completes, however it completes
 * (answered, refused, connection lost). Used on the exchange's IO thread only.
 */
final class BodyBufferReservation {
    private final MemoryBudget budget;
    private long reserved;

    private BodyBufferReservation(MemoryBudget budget) {
        this.budget = budget;
    }

    /** A reservation for {@code exchange}, released when the exchange completes. */
    static BodyBufferReservation of(HttpServerExchange exchange, MemoryBudget budget) {
        BodyBufferReservation reservation = new BodyBufferReservation(budget);
        exchange.addExchangeCompleteListener((ex, next) -> {
            reservation.releaseAll();
            next.proceed();
        });
        return reservation;
    }

    /** Reserves {@code bytes} more; false (nothing reserved) if the budget cannot cover them. */
    boolean grow(long bytes) {
        if (!budget.tryReserve(bytes)) {
            return false;
        }
        reserved += bytes;
        return true;
    }

    private void releaseAll() {
        budget.release(reserved);
        reserved = 0;
    }
}
