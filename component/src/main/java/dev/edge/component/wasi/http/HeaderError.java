package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;

/** The {@code header-error} variant: case 0 {@code invalid-syntax}, 1 {@code forbidden}, 2 {@code immutable}. */
final class HeaderError extends Exception {
    static final int INVALID_SYNTAX = 0;
    static final int FORBIDDEN = 1;
    static final int IMMUTABLE = 2;

    private final int code;

    HeaderError(int code) {
        super(null, null, false, false);
        this.code = code;
    }

    Variant toValue() {
        return new Variant(code, null);
    }
}
