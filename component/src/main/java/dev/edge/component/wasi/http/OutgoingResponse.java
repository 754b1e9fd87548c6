package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;

/** The {@code outgoing-response} resource: status 200 unless set, the headers it was built with, one body. */
public final class OutgoingResponse {
    private final Fields headers;
    private final long bodyLimit;
    private int status = 200;
    private OutgoingBody body;

    OutgoingResponse(Fields headers, long bodyLimit) {
        this.headers = headers.immutableCopy();
        this.bodyLimit = bodyLimit;
    }

    int status() {
        return status;
    }

    /** {@code set-status-code}: err for a code outside 100-999 (what an HTTP status code can be, as in wasmtime). */
    Variant setStatus(int code) {
        if (code < 100 || code > 999) {
            return Variant.err(null);
        }
        status = code;
        return Variant.ok(null);
    }

    Fields headers() {
        return headers.immutableCopy();
    }

    Fields ownHeaders() {
        return headers;
    }

    Variant body() {
        if (body != null) {
            return Variant.err(null);
        }
        body = new OutgoingBody(bodyLimit, HttpValues.HTTP_RESPONSE_BODY_SIZE, headers, () -> { });
        return Variant.ok(body);
    }

    /** The body, or null when the guest never asked for one (an empty body). */
    OutgoingBody bodyOrNull() {
        return body;
    }
}
