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
    /** A chunk-size line or a trailer; a head's lines go straight into {@link #head}. */
    private final StringBuilder line = new StringBuilder();
    private final StringBuilder head = new StringBuilder();
    /** Where the head's current line starts in {@link #head}, and whether it has had a byte yet. */
    private int lineStart;
    private boolean lineEmpty = true;
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
            head.setLength(0);
            lineStart = 0;
            lineEmpty = true;
            bareCr = false;
        }
    }

    /** Heads, chunk-size lines and trailers are lines; a CR counts only when an LF follows it. */
    private void lineByte(byte b) {
        if (pendingCr) {
            pendingCr = false;
            if (b != '\n') {
                bareCr = true;
                append('\r');
            }
        }
        if (b == '\r') {
            pendingCr = true;
            return;
        }
        if (b != '\n') {
            append((char) (b & 0xff));
            return;
        }
        if (mode == Mode.HEAD) {
            headLineEnd();
            return;
        }
        String text = line.toString();
        line.setLength(0);
        switch (mode) {
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

    /** A byte of the current line; a line or head longer than Undertow takes (MAX_HEADER_SIZE) is not kept whole. */
    private void append(char c) {
        if (mode != Mode.HEAD) {
            if (line.length() <= maxHead) {
                line.append(c);
            }
            return;
        }
        lineEmpty = false;
        if (lineStart <= maxHead && head.length() - lineStart <= maxHead) {
            head.append(c);
        }
    }

    /** A head's line ended: kept in the head, or the empty line that ends the head. No String per line. */
    private void headLineEnd() {
        if (!lineEmpty) {
            if (lineStart <= maxHead) {
                head.append('\n');
                lineStart = head.length();
            }
            lineEmpty = true;
            return;
        }
        if (head.length() == 0) {
            return; // empty lines before a request line are ignored (RFC 9112 §2.2)
        }
        String text = head.toString();
        if (text.startsWith("PRI * HTTP/2.0\n")) {
            mode = Mode.STOPPED; // the HTTP/2 connection preface (h2c, ALPN h2): binary frames follow, no more heads
            return;
        }
        verdicts.add(bareCr);
        String transferEncoding = null;
        String contentLength = null;
        for (int start = 0, end; start < text.length(); start = end + 1) {
            end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            int colon = text.indexOf(':', start);
            if (colon > start && colon < end) {
                if (named(text, start, colon, "transfer-encoding")) {
                    transferEncoding = text.substring(colon + 1, end).strip();
                } else if (named(text, start, colon, "content-length")) {
                    contentLength = text.substring(colon + 1, end).strip();
                }
            }
        }
        if (transferEncoding != null) {
            mode = transferEncoding.equalsIgnoreCase("chunked") ? Mode.CHUNK_SIZE : Mode.STOPPED;
        } else if (contentLength != null) {
            remaining = parseLength(contentLength);
            mode = remaining < 0 ? Mode.STOPPED : remaining == 0 ? Mode.HEAD : Mode.BODY;
        }
        startHeadIfNeeded();
    }

    /** Whether {@code text[start, colon)}, without surrounding white space, is {@code name} in any case. */
    private static boolean named(String text, int start, int colon, String name) {
        while (start < colon && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (colon > start && Character.isWhitespace(text.charAt(colon - 1))) {
            colon--;
        }
        return colon - start == name.length() && text.regionMatches(true, start, name, 0, name.length());
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
