package dev.edge.gateway;

import dev.edge.kv.KeyValueFactor;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * {@code /kv/<store>/<key>} on the admin listener, the HTTP form of {@code edge kv}: {@code GET} (raw bytes, 404
 * when absent), {@code PUT} (the body is the value), {@code DELETE}, and {@code GET /kv/<store>/?prefix=p}
 * (keys, one per line). Only with a bearer token configured, and only on the admin listener, never the
 * public one. Store and key are percent-decoded path segments (a key may hold {@code %2F}).
 */
final class AdminKvHandler implements HttpHandler {
    static final String PREFIX = "/kv/";

    private final byte[] expectedAuthorization;
    private final KeyValueFactor keyValues;

    AdminKvHandler(String token, KeyValueFactor keyValues) {
        this.expectedAuthorization = digest("Bearer " + token);
        this.keyValues = keyValues;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this); // store calls block
            return;
        }
        if (!authorized(exchange)) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"edge-admin\"");
            answer(exchange, 401, "a bearer token is required (Authorization: Bearer <token>)");
            return;
        }
        String path = rawPath(exchange.getRequestURI());
        String rest = path.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        Optional<String> label = decode(slash < 0 ? rest : rest.substring(0, slash));
        Optional<String> key = decode(slash < 0 ? "" : rest.substring(slash + 1));
        if (label.isEmpty() || key.isEmpty() || label.get().isEmpty()) {
            answer(exchange, 400, "expected /kv/<store>/<key>, percent-encoded UTF-8");
            return;
        }
        try {
            KeyValueStore store = keyValues.openStore(label.get());
            if (key.get().isEmpty()) {
                list(exchange, store);
            } else {
                one(exchange, store, key.get());
            }
        } catch (KvException e) {
            if (e.kind() == KvException.Kind.NO_SUCH_STORE) {
                answer(exchange, 404, e.getMessage());
            } else if (e.retryAfter().isPresent()) {
                exchange.getResponseHeaders().put(Headers.RETRY_AFTER,
                        Math.max(1, (e.retryAfter().get().toMillis() + 999) / 1000));
                answer(exchange, 429, e.getMessage());
            } else {
                answer(exchange, 503, e.getMessage());
            }
        }
    }

    private void list(HttpServerExchange exchange, KeyValueStore store) {
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            notAllowed(exchange, "GET");
            return;
        }
        String prefix = Optional.ofNullable(exchange.getQueryParameters().get("prefix"))
                .map(values -> values.getFirst()).orElse("");
        StringBuilder lines = new StringBuilder();
        String cursor = null;
        do {
            KeyValueStore.KeyPage page = store.listKeys(prefix, cursor, KvCommand.LIST_PAGE);
            page.keys().forEach(k -> lines.append(k).append('\n'));
            cursor = page.nextCursor();
        } while (cursor != null);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(lines.toString(), StandardCharsets.UTF_8);
    }

    private void one(HttpServerExchange exchange, KeyValueStore store, String key) throws IOException {
        if (key.getBytes(StandardCharsets.UTF_8).length > keyValues.limits().maxKeyBytes()) {
            answer(exchange, 400, "key longer than " + keyValues.limits().maxKeyBytes() + " bytes");
            return;
        }
        HttpString method = exchange.getRequestMethod();
        if (method.equals(Methods.GET)) {
            Optional<byte[]> value = store.get(key);
            if (value.isEmpty()) {
                answer(exchange, 404, "no key '" + key + "'");
                return;
            }
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/octet-stream");
            exchange.getResponseSender().send(ByteBuffer.wrap(value.get()));
        } else if (method.equals(Methods.PUT)) {
            int max = keyValues.limits().maxValueBytes();
            byte[] value = readBody(exchange, max);
            if (value == null) {
                answer(exchange, 413, "value larger than " + max + " bytes");
                return;
            }
            store.set(key, value);
            exchange.setStatusCode(204);
            exchange.endExchange();
        } else if (method.equals(Methods.DELETE)) {
            store.delete(key);
            exchange.setStatusCode(204);
            exchange.endExchange();
        } else {
            notAllowed(exchange, "GET, PUT, DELETE");
        }
    }

    /** The body, or null if it is longer than {@code max}. */
    private static byte[] readBody(HttpServerExchange exchange, int max) throws IOException {
        exchange.startBlocking();
        InputStream in = exchange.getInputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            body.write(buffer, 0, n);
            if (body.size() > max) {
                return null;
            }
        }
        return body.toByteArray();
    }

    private boolean authorized(HttpServerExchange exchange) {
        String given = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        // digests of equal length, compared in constant time: the token's length and bytes do not leak
        return given != null && MessageDigest.isEqual(expectedAuthorization, digest(given));
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /** The path of a request target, without query (the origin form, or the path of an absolute form). */
    private static String rawPath(String requestUri) {
        int scheme = requestUri.indexOf("://");
        String path = scheme < 0 ? requestUri : requestUri.substring(requestUri.indexOf('/', scheme + 3));
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /** Strict percent-decoding to UTF-8 ({@code +} stays {@code +}); empty on a bad escape or bad UTF-8. */
    static Optional<String> decode(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); ) {
            if (segment.charAt(i) == '%') {
                int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
                int lo = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi * 16 + lo);
                i += 3;
            } else {
                int codePoint = segment.codePointAt(i);
                byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i += Character.charCount(codePoint);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static void notAllowed(HttpServerExchange exchange, String allow) {
        exchange.getResponseHeaders().put(Headers.ALLOW, allow);
        answer(exchange, 405, "method not allowed; allowed: " + allow);
    }

    private static void answer(HttpServerExchange exchange, int status, String message) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(message + "\n", StandardCharsets.UTF_8);
    }
}
