package dev.edge.routes;

import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.util.Locale;

/**
 * Whether a request's body framing is unambiguous (RFC 9112 §6.1, §6.3). Only {@code chunked}, as the sole
 * transfer coding, frames a request body here, as in nginx: any other coding or list is 501, and a second
 * {@code Transfer-Encoding} field or one beside {@code Content-Length} is 400 (a smuggling pattern). Undertow
 * would otherwise read {@code chunked, identity} as chunked and a lone {@code identity} as "until close".
 */
final class RequestFraming {
    private RequestFraming() {}

    /** 0 if the framing is acceptable, else the status to refuse it with (the connection must then close). */
    static int refusal(HeaderMap headers) {
        HeaderValues codings = headers.get(Headers.TRANSFER_ENCODING);
        if (codings == null || codings.isEmpty()) {
            return 0;
        }
        if (codings.size() > 1 || headers.contains(Headers.CONTENT_LENGTH)) {
            return 400;
        }
        return codings.getFirst().strip().toLowerCase(Locale.ROOT).equals("chunked") ? 0 : 501;
    }
}
