package dev.edge.wasm.wagi;

import dev.edge.wasm.GuestResponse;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a WAGI guest's stdout into an HTTP response, as Spin's {@code wagi::compose_response} does.
 *
 * <ul>
 *   <li>The header block ends at the first empty line; CR bytes inside it are ignored. Output with no empty
 *       line is all body and has no headers.</li>
 *   <li>Each header line is split at its first {@code :}; name and value are trimmed; lines without a
 *       {@code :} are ignored. A repeated header name keeps its last value (Spin collects them in a map).</li>
 *   <li>{@code Status: 404 Not Found} sets the status from the text before the first space; a code that is
 *       not three digits in 200..599 gives 502 (a 1xx would desynchronise the client's connection). {@code Location} without {@code Status} gives 302. Without any
 *       of {@code Content-Type}, {@code Status} and {@code Location} the answer is 500 with the body
 *       {@link #INSUFFICIENT}. Otherwise the status defaults to 200.</li>
 *   <li>Other headers are passed on when the name is a valid HTTP token (invalid names are dropped, as in
 *       Spin); a value with control characters makes the whole output unusable (500), as in Spin.</li>
 * </ul>
 */
final class CgiResponse {
    static final String INSUFFICIENT = "Exactly one of 'location' or 'content-type' must be specified";

    private CgiResponse() {}

    /**
     * @return the response, or empty when the output is unusable (the caller answers 500): a header block that
     *         is not UTF-8, or a header value with control characters (Spin fails the request on both)
     */
    static Optional<GuestResponse> parse(byte[] stdout, int length) {
        ByteArrayOutputStream headerBlock = new ByteArrayOutputStream();
        int bodyStart = -1;
        int last = 0;
        for (int i = 0; i < length; i++) {
            byte b = stdout[i];
            if (b == '\r') {
                continue;
            }
            if (b == '\n' && last == '\n') {
                bodyStart = i + 1;
                break;
            }
            last = b;
            headerBlock.write(b);
        }
        byte[] body;
        String headerText;
        if (bodyStart < 0) {
            // no blank line: Spin sends everything (CRs dropped) as the body, with no headers
            body = headerBlock.toByteArray();
            headerText = "";
        } else {
            body = java.util.Arrays.copyOfRange(stdout, bodyStart, length);
            try {
                headerText = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(headerBlock.toByteArray()))
                        .toString();
            } catch (CharacterCodingException e) {
                return Optional.empty();
            }
        }
        return compose(parseHeaders(headerText), body);
    }

    private static Map<String, String[]> parseHeaders(String text) {
        Map<String, String[]> headers = new LinkedHashMap<>(); // lower-case name -> [name, value]
        for (String line : text.strip().split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            String key = name.toLowerCase(Locale.ROOT);
            headers.remove(key); // keep the last one, in its position
            headers.put(key, new String[] {name, value});
        }
        return headers;
    }

    private static Optional<GuestResponse> compose(Map<String, String[]> headers, byte[] body) {
        boolean sufficient = false;
        int status = 200;
        List<Map.Entry<String, String>> out = new ArrayList<>();
        String[] statusHeader = headers.get("status");
        if (statusHeader != null) {
            sufficient = true;
            status = parseStatus(statusHeader[1]);
        }
        for (Map.Entry<String, String[]> entry : headers.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue()[1];
            if (!key.equals("status") && !validValue(value)) {
                return Optional.empty();
            }
            switch (key) {
                case "status" -> { }
                case "content-type" -> {
                    sufficient = true;
                    addIfValid(out, "content-type", value);
                }
                case "location" -> {
                    sufficient = true;
                    addIfValid(out, "location", value);
                    if (statusHeader == null) {
                        status = 302;
                    }
                }
                default -> addIfValid(out, key, value);
            }
        }
        if (!sufficient) {
            return Optional.of(new GuestResponse(500, List.of(), INSUFFICIENT.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.of(new GuestResponse(status, out, body));
    }

    /** {@code "404 Not Found"} -> 404; anything that is not a final status code (200..599) -> 502. */
    static int parseStatus(String value) {
        int space = value.indexOf(' ');
        String code = space < 0 ? value : value.substring(0, space);
        if (code.length() != 3) {
            return 502;
        }
        for (int i = 0; i < 3; i++) {
            if (code.charAt(i) < '0' || code.charAt(i) > '9') {
                return 502;
            }
        }
        int parsed = Integer.parseInt(code);
        return GuestResponse.isFinalStatus(parsed) ? parsed : 502;
    }

    /** Adds the header when its name is an HTTP token; Spin ignores (and logs) invalid names. */
    private static void addIfValid(List<Map.Entry<String, String>> out, String name, String value) {
        if (!name.isEmpty() && name.chars().allMatch(CgiResponse::isTokenChar)) {
            out.add(Map.entry(name, value));
        }
    }

    private static boolean validValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
