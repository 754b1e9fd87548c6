package dev.edge.wasm;

import com.dylibso.chicory.wasm.ChicoryException;

/** Thrown from {@code resp_write} to abort a guest whose body passed the response limit. */
final class ResponseTooLargeException extends ChicoryException {
    ResponseTooLargeException(long limit) {
        super("response body larger than " + limit + " bytes");
    }
}
