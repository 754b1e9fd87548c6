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
    /** The head's lines so far, as sent (ISO-8859-1), each ended by a single LF; {@link #headLength} bytes of it. */
    private byte[] head = new byte[512];
    private int headLength;
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
        int end = buffer.position();
        for (int i = from; i < end && mode != Mode.STOPPED; i++) {
            if (mode == Mode.HEAD && !pendingCr) {
                // A head's run of ordinary bytes is copied in one go, not byte by byte.
                int run = i;
                while (run < end && buffer.get(run) != '\r' && buffer.get(run) != '\n') {
                    run++;
                }
                if (run > i) {
                    appendHead(buffer, i, run - i);
                    i = run;
                    if (i == end) {
                        break;
                    }
                }
            }
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
        if (lineStart <= maxHead && headLength - lineStart <= maxHead) {
            ensureHead(1);
            head[headLength++] = (byte) c;
        }
    }

    /** As {@link #append} of each of the {@code n} bytes at {@code from}, none a CR or LF, in a head. */
    private void appendHead(ByteBuffer buffer, int from, int n) {
        lineEmpty = false;
        if (lineStart > maxHead) {
            return;
        }
        int kept = Math.min(n, maxHead + 1 - (headLength - lineStart));
        if (kept > 0) {
            ensureHead(kept);
            buffer.get(from, head, headLength, kept);
            headLength += kept;
        }
    }

    private void ensureHead(int more) {
        if (headLength + more > head.length) {
            head = java.util.Arrays.copyOf(head, Math.max(headLength + more, head.length * 2));
        }
    }

    /** A head's line ended: kept in the head, or the empty line that ends the head. No String per line. */
    private void headLineEnd() {
        if (!lineEmpty) {
            if (lineStart <= maxHead) {
                ensureHead(1);
                head[headLength++] = '\n';
                lineStart = headLength;
            }
            lineEmpty = true;
            return;
        }
        if (headLength == 0) {
            return; // empty lines before a request line are ignored (RFC 9112 §2.2)
        }
        if (startsWith(head, headLength, H2_PREFACE)) {
            mode = Mode.STOPPED; // the HTTP/2 connection preface (h2c, ALPN h2): binary frames follow, no more heads
            return;
        }
        verdicts.add(bareCr);
        String transferEncoding = null;
        String contentLength = null;
        for (int start = 0, end; start < headLength; start = end + 1) {
            end = indexOf(head, headLength, (byte) '\n', start);
            int colon = indexOf(head, end, (byte) ':', start);
            if (colon > start && colon < end) {
                if (named(head, start, colon, "transfer-encoding")) {
                    transferEncoding = text(head, colon + 1, end);
                } else if (named(head, start, colon, "content-length")) {
                    contentLength = text(head, colon + 1, end);
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

    private static final byte[] H2_PREFACE = "PRI * HTTP/2.0\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    private static boolean startsWith(byte[] bytes, int length, byte[] prefix) {
        return length >= prefix.length
                && java.util.Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The first {@code b} in {@code bytes[from, limit)}, or {@code limit}. */
    private static int indexOf(byte[] bytes, int limit, byte b, int from) {
        for (int i = from; i < limit; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return limit;
    }

    private static String text(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1).strip();
    }

    private static boolean isWhitespace(byte b) {
        return Character.isWhitespace((char) (b & 0xff));
    }

    /**
     * Whether {@code bytes[start, colon)}, without surrounding white space, is {@code name} (lower-case ASCII) in
     * any case. (No ISO-8859-1 letter folds to an ASCII one, so ASCII folding is the whole comparison.)
     */
    private static boolean named(byte[] bytes, int start, int colon, String name) {
        while (start < colon && isWhitespace(bytes[start])) {
            start++;
        }
        while (colon > start && isWhitespace(bytes[colon - 1])) {
            colon--;
        }
        if (colon - start != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            int c = bytes[start + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != name.charAt(i)) {
                return false;
            }
        }
        return true;
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
