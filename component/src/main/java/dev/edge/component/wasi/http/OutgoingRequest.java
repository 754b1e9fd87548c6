package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;

/** The {@code outgoing-request} resource: GET, no path, scheme or authority until set; one body. */
public final class OutgoingRequest {
    private final Fields headers;
    private final long bodyLimit;
    private Variant method = HttpValues.method("GET");
    private String pathWithQuery;
    private Variant scheme;
    private String authority;
    private OutgoingBody body;
    private Runnable onBodyFinished = () -> { };

    OutgoingRequest(Fields headers, long bodyLimit) {
        this.headers = headers.immutableCopy();
        this.bodyLimit = bodyLimit;
    }

    Variant body() {
        if (body != null) {
            return Variant.err(null);
        }
        body = new OutgoingBody(bodyLimit, HttpValues.HTTP_REQUEST_BODY_SIZE, headers, () -> onBodyFinished.run());
        return Variant.ok(body);
    }

    Variant method() {
        return method;
    }

    Variant setMethod(Variant m) {
        if (m.index() == 9 && !Fields.isToken((String) m.payload())) {
            return Variant.err(null);
        }
        method = m;
        return Variant.ok(null);
    }

    Variant pathWithQuery() {
        return pathWithQuery == null ? Variant.none() : Variant.some(pathWithQuery);
    }

    Variant setPathWithQuery(Variant p) {
        String value = p.isSome() ? (String) p.payload() : null;
        if (value != null && (!value.startsWith("/") && !value.startsWith("*") || value.chars().anyMatch(c -> c <= ' '))) {
            return Variant.err(null);
        }
        pathWithQuery = value;
        return Variant.ok(null);
    }

    Variant scheme() {
        return scheme == null ? Variant.none() : Variant.some(scheme);
    }

    Variant setScheme(Variant s) {
        scheme = s.isSome() ? (Variant) s.payload() : null;
        return Variant.ok(null);
    }

    Variant authority() {
        return authority == null ? Variant.none() : Variant.some(authority);
    }

    Variant setAuthority(Variant a) {
        String value = a.isSome() ? (String) a.payload() : null;
        if (value != null && (value.contains("/") || value.contains("@") || value.chars().anyMatch(c -> c <= ' '))) {
            return Variant.err(null);
        }
        authority = value;
        return Variant.ok(null);
    }

    Fields headers() {
        return headers.immutableCopy();
    }

    Fields ownHeaders() {
        return headers;
    }

    String methodName() {
        return HttpValues.methodName(method);
    }

    Variant schemeOrNull() {
        return scheme;
    }

    String authorityOrNull() {
        return authority;
    }

    String pathOrNull() {
        return pathWithQuery;
    }

    OutgoingBody bodyOrNull() {
        return body;
    }

    /** Runs {@code action} once the body is finished (at once if there is none or it already is). */
    void whenBodyReady(Runnable action) {
        if (body == null || body.finished()) {
            action.run();
        } else {
            onBodyFinished = action;
        }
    }
}
