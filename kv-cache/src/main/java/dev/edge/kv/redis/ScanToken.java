package dev.edge.kv.redis;

import dev.edge.kv.KvException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The opaque {@code listKeys} cursor: the Redis SCAN cursor to continue from, plus the keys of the
 * last SCAN batch that did not fit into the previous page (SCAN's COUNT is only a hint, a batch may
 * exceed the page limit by a few keys). Format: {@code s1.<scan-cursor>[.<base64url key>]*}.
 */
record ScanToken(String scanCursor, List<String> pending) {
    private static final String VERSION = "s1";

    ScanToken {
        pending = List.copyOf(pending);
    }

    static ScanToken start() { return new ScanToken("0", List.of()); }

    static ScanToken parse(String token) {
        if (token == null) {
            return start();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length < 2 || !parts[0].equals(VERSION) || !parts[1].matches("[0-9]+")) {
            throw new KvException(KvException.Kind.OTHER, "invalid list-keys cursor");
        }
        List<String> pending = new ArrayList<>();
        try {
            for (int i = 2; i < parts.length; i++) {
                pending.add(new String(Base64.getUrlDecoder().decode(parts[i]), StandardCharsets.UTF_8));
            }
        } catch (IllegalArgumentException e) {
            throw new KvException(KvException.Kind.OTHER, "invalid list-keys cursor", e);
        }
        return new ScanToken(parts[1], pending);
    }

    String format() {
        StringBuilder out = new StringBuilder(VERSION).append('.').append(scanCursor);
        for (String key : pending) {
            out.append('.').append(Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(key.getBytes(StandardCharsets.UTF_8)));
        }
        return out.toString();
    }

    boolean scanFinished() { return scanCursor.equals("0"); }
}
