package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;

/** The {@code response-outparam} resource of one {@link HttpExchange}. */
public final class ResponseOutparam {
    private final HttpExchange exchange;

    ResponseOutparam(HttpExchange exchange) {
        this.exchange = exchange;
    }

    HttpExchange exchange() {
        return exchange;
    }

    /** {@code set}: {@code result<outgoing-response, error-code>}. */
    void set(Variant response) {
        exchange.set(response);
    }
}
