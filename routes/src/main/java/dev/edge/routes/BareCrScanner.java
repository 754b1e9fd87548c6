package dev.edge.routes;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Follows the bytes of one HTTP/1.1 connection as the client sends them and notes, for each request head, whether
 * it holds a bare CR (a CR not followed by LF). Undertow's parser ends a header line at a bare CR, so
 * {@code X-User: a\rX-Admin: true} would reach guests and upstreams as two headers; RFC 9112 §2.2 makes such an
 * element invalid, and {@link RequestBodyReader} refuses the request with 400.
 *
 * <p>It skips bodies by the same framing the ingress accepts (a {@code Content-Length}, or {@code chunked} alone).
 * Where it cannot know the framing (an invalid length, another coding) the request is refused and the connection
 * closed anyway ({@link RequestFraming}), so it stops looking; so it does after the HTTP/2 connection preface (HTTP/2
 * has no such line ends). Not thread-safe: one connection, one IO thread.
 */
final class BareCrScanner {
    private enum Mode { HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, STOPPED }

    /** Longest head kept for its framing headers; a longer one is refused by Undertow (MAX_HEADER_SIZE). */
    private final int maxHead;
    private final ArrayDeque<Boolean> verdicts = new ArrayDeque<>();
    private final StringBuilder line = new StringBuilder();
    /** The current head so far: its length (as kept, one LF per line), first line and framing fields. */
    private int headLength;
    private boolean preface;
    private String transferEncoding;
    private String contentLength;
    private Mode mode = Mode.HEAD;
    private boolean pendingCr;
    private boolean bareCr;
    private long remaining;

    BareCrScanner(int maxHead) {
        this.maxHead = maxHead;
    }

    /** Whether the oldest request head not yet asked about held a bare CR; false if none was seen. */
    boolean nextHeadHadBareCr() {
        Boolean verdict = verdicts.poll();
        return verdict != null && verdict;
    }

    /** Looks at the bytes between {@code from} and the buffer's position, as just read into it. */
    void scan(ByteBuffer buffer, int from) {
        for (int i = from; i < buffer.position() && mode != Mode.STOPPED; i++) {
            byte b = buffer.get(i);
            switch (mode) {
                case BODY, CHUNK_DATA -> {
                    long skip = Math.min(remaining, buffer.position() - i);
                    remaining -= skip;
                    i += (int) skip - 1;
                    if (remaining == 0) {
                        mode = mode == Mode.BODY ? Mode.HEAD : Mode.CHUNK_END;
                        startHeadIfNeeded();
                    }
                }
                default -> lineByte(b);
            }
        }
    }

    private void startHeadIfNeeded() {
        if (mode == Mode.HEAD) {
            headLength = 0;
            preface = false;
            transferEncoding = null;
            contentLength = null;
            bareCr = false;
        }
    }

    /** Heads, chunk-size lines and trailers are lines; a CR counts only when an LF follows it. */
    private void lineByte(byte b) {
        if (pendingCr) {
            pendingCr = false;
            if (b != '\n') {
                bareCr = true;
                line.append('\r');
            }
        }
        if (b == '\r') {
            pendingCr = true;
            return;
        }
        if (b != '\n') {
            if (line.length() <= maxHead) {
                line.append((char) (b & 0xff));
            }
            return;
        }
        String text = line.toString();
        line.setLength(0);
        switch (mode) {
            case HEAD -> headLine(text);
            case CHUNK_SIZE -> chunkSize(text);
            case CHUNK_END -> mode = text.isEmpty() ? Mode.CHUNK_SIZE : Mode.STOPPED;
            case TRAILERS -> {
                if (text.isEmpty()) {
                    mode = Mode.HEAD;
                    startHeadIfNeeded();
                }
            }
            default -> { }
        }
    }

    /** Each head line is looked at as it ends, not the head kept and split at its end: it is on every request's path. */
    private void headLine(String text) {
        if (!text.isEmpty()) {
            if (headLength <= maxHead) {
                if (headLength == 0) {
                    preface = text.equals("PRI * HTTP/2.0");
                }
                framingField(text);
                headLength += text.length() + 1;
            }
            return;
        }
        if (headLength == 0) {
            return; // empty lines before a request line are ignored (RFC 9112 §2.2)
        }
        if (preface) {
            mode = Mode.STOPPED; // the HTTP/2 connection preface (h2c, ALPN h2): binary frames follow, no more heads
            return;
        }
        verdicts.add(bareCr);
        if (transferEncoding != null) {
            mode = transferEncoding.equalsIgnoreCase("chunked") ? Mode.CHUNK_SIZE : Mode.STOPPED;
        } else if (contentLength != null) {
            remaining = parseLength(contentLength);
            mode = remaining < 0 ? Mode.STOPPED : remaining == 0 ? Mode.HEAD : Mode.BODY;
        }
        startHeadIfNeeded();
    }

    /** Notes a Transfer-Encoding or Content-Length field's value (the last one of each counts). */
    private void framingField(String field) {
        int colon = field.indexOf(':');
        if (colon <= 0) {
            return;
        }
        if (isName(field, colon, "transfer-encoding")) {
            transferEncoding = field.substring(colon + 1).strip();
        } else if (isName(field, colon, "content-length")) {
            contentLength = field.substring(colon + 1).strip();
        }
    }

    /** True if the field's name (before {@code colon}, surrounding whitespace stripped) is {@code name}, any case. */
    private static boolean isName(String field, int colon, String name) {
        int start = 0;
        int end = colon;
        while (start < end && Character.isWhitespace(field.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(field.charAt(end - 1))) {
            end--;
        }
        return end - start == name.length() && field.regionMatches(true, start, name, 0, name.length());
    }

    private void chunkSize(String text) {
        int end = text.indexOf(';');
        long size = parseHex((end < 0 ? text : text.substring(0, end)).strip());
        if (size < 0) {
            mode = Mode.STOPPED;
        } else if (size == 0) {
            mode = Mode.TRAILERS;
        } else {
            remaining = size;
            mode = Mode.CHUNK_DATA;
        }
    }

    private static long parseLength(String digits) {
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    private static long parseHex(String digits) {
        if (digits.isEmpty() || digits.length() > 15) {
            return -1;
        }
        try {
            return Long.parseLong(digits, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
