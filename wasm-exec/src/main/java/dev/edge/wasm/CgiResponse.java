package dev.edge.wasm;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a WAGI program's stdout into an HTTP response with Spin's rules ({@code compose_response} in
 * Spin's {@code http/src/wagi/mod.rs}):
 * <ul>
 *   <li>CGI headers, then a blank line, then the body (bytes, untouched). CR characters are ignored
 *       until the blank line; output with no blank line has no headers.</li>
 *   <li>Header lines are {@code name: value} (both trimmed); lines without a colon are ignored; a repeated
 *       name keeps the last value.</li>
 *   <li>{@code Status: 404 Not Found} sets the status (the first word must be a 3-digit code 100..999,
 *       else 502). {@code Location} without {@code Status} gives 302. Default status 200.</li>
 *   <li>None of {@code Content-Type}, {@code Status}, {@code Location}: 500 with the body
 *       {@value #INSUFFICIENT}.</li>
 * </ul>
 */
public final class CgiResponse {
    public static final String INSUFFICIENT = "Exactly one of 'location' or 'content-type' must be specified";

    private CgiResponse() {}

    /**
     * @throws IllegalArgumentException if the header block is not UTF-8 or a header value is not a valid
     *                                  HTTP header value (Spin fails the request: 500)
     */
    public static GuestResponse parse(byte[] stdout) {
        ByteArrayOutputStream headerBlock = new ByteArrayOutputStream();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        boolean scanHeaders = true;
        int last = 0;
        for (byte b : stdout) {
            if (scanHeaders && b == '\r') {
                continue;
            }
            if (scanHeaders && b == '\n' && last == '\n') {
                headerBlock.writeBytes(buffer.toByteArray());
                buffer.reset();
                scanHeaders = false;
                continue;
            }
            last = b;
            buffer.write(b);
        }
        byte[] body = buffer.toByteArray();

        Map<String, Map.Entry<String, String>> headers = new LinkedHashMap<>();
        for (String line : trim(utf8(headerBlock.toByteArray())).split("\n", -1)) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue; // Spin logs "corrupt header" and goes on
            }
            String name = trim(line.substring(0, colon));
            String value = trim(line.substring(colon + 1));
            headers.remove(name.toLowerCase(Locale.ROOT));
            headers.put(name.toLowerCase(Locale.ROOT), Map.entry(name, value));
        }

        int status = 200;
        boolean sufficient = false;
        boolean explicitStatus = false;
        List<Map.Entry<String, String>> out = new ArrayList<>();
        Map.Entry<String, String> statusHeader = headers.remove("status");
        if (statusHeader != null) {
            sufficient = true;
            explicitStatus = true;
            String value = statusHeader.getValue();
            int space = value.indexOf(' ');
            status = parseStatus(space < 0 ? value : value.substring(0, space));
        }
        for (Map.Entry<String, String> header : headers.values()) {
            String lower = header.getKey().toLowerCase(Locale.ROOT);
            checkValue(header);
            if (lower.equals("content-type")) {
                sufficient = true;
                out.add(Map.entry("content-type", header.getValue()));
            } else if (lower.equals("location")) {
                sufficient = true;
                out.add(Map.entry("location", header.getValue()));
                if (!explicitStatus) {
                    status = 302;
                }
            } else if (isToken(lower)) {
                out.add(Map.entry(lower, header.getValue()));
            } // else: an invalid header name is ignored (Spin logs it)
        }
        if (!sufficient) {
            return new GuestResponse(500, List.of(), INSUFFICIENT.getBytes(StandardCharsets.UTF_8));
        }
        return new GuestResponse(status, out, body);
    }

    /** Rust's StatusCode::from_str: exactly three ASCII digits, 100..999; otherwise 502. */
    private static int parseStatus(String code) {
        if (code.length() != 3) {
            return 502;
        }
        for (int i = 0; i < 3; i++) {
            if (code.charAt(i) < '0' || code.charAt(i) > '9') {
                return 502;
            }
        }
        int value = Integer.parseInt(code);
        return value < 100 ? 502 : value;
    }

    private static void checkValue(Map.Entry<String, String> header) {
        String value = header.getValue();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 32 && c != '\t') || c == 127) {
                throw new IllegalArgumentException("invalid value for CGI header '" + header.getKey() + "'");
            }
        }
    }

    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 32 || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("CGI headers are not valid UTF-8");
        }
    }

    /** Rust's str::trim: Unicode White_Space at both ends. */
    static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isWhiteSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isWhiteSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isWhiteSpace(char c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }
}
