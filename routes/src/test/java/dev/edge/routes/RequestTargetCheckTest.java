package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link RequestTargetCheck#problem}: the path rules, with and without percent-escapes. */
class RequestTargetCheckTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "OK", value = {
            "/rs|OK", "/a..b/.c/c.|OK", "/.well-known/spin/info|OK", "/a\\b|OK",
            "/a/../b|dot segment ('.' or '..') in the path", "/.|dot segment ('.' or '..') in the path",
            "/a/..|dot segment ('.' or '..') in the path", "/a\\..\\b|dot segment ('.' or '..') in the path",
            "/a/%2e%2E/b|dot segment ('.' or '..') in the path", "/a/%2e|dot segment ('.' or '..') in the path",
            "/files/%C3%A9t%C3%A9/%20x|OK", "/files/%ff|percent-decoded path is not valid UTF-8",
            "/files/%c3%28|percent-decoded path is not valid UTF-8", "/files/a%00b|percent-encoded NUL",
            "/hello%zz|malformed percent-escape at index 6", "/hello%|malformed percent-escape at index 6",
            "rs|request target is not an absolute path"})
    void pathsAndTheirProblems(String path, String problem) {
        assertThat(RequestTargetCheck.problem(path)).isEqualTo(problem);
    }

    /** The unescaped path skips the copy and the decoder: it must answer as the general one does, on any path. */
    @Test
    void theFastPathAnswersAsTheDecodingOne() {
        char[] alphabet = {'/', '/', '.', '.', '\\', 'a', '%', '2', 'e', 'E', 'c', '3', 'f', '0', '8', '~', ' '};
        Random random = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder path = new StringBuilder(random.nextInt(8) == 0 ? "" : "/");
            for (int n = random.nextInt(10); n > 0; n--) {
                path.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String p = path.toString();
            assertThat(RequestTargetCheck.problem(p)).as(p).isEqualTo(decoding(p));
        }
    }

    /** The check before the fast path: every path copied, percent-decoded and run through a UTF-8 decoder. */
    private static String decoding(String rawPath) {
        if (!rawPath.startsWith("/")) {
            return "request target is not an absolute path";
        }
        byte[] decoded = new byte[rawPath.length()];
        int n = 0;
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c > 0x7e || c < 0x21) {
                return "raw character 0x" + Integer.toHexString(c) + " in the path";
            }
            if (c == '%') {
                int hi = i + 2 < rawPath.length() ? Character.digit(rawPath.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(rawPath.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    return "malformed percent-escape at index " + i;
                }
                int b = hi << 4 | lo;
                if (b == 0) {
                    return "percent-encoded NUL";
                }
                decoded[n++] = (byte) b;
                i += 2;
            } else {
                decoded[n++] = (byte) c;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(decoded, 0, n));
        } catch (CharacterCodingException e) {
            return "percent-decoded path is not valid UTF-8";
        }
        int start = 0;
        for (int i = 0; i <= n; i++) {
            if (i == n || decoded[i] == '/' || decoded[i] == '\\') {
                int length = i - start;
                if ((length == 1 || length == 2) && decoded[start] == '.' && (length == 1 || decoded[start + 1] == '.')) {
                    return "dot segment ('.' or '..') in the path";
                }
                start = i + 1;
            }
        }
        return null;
    }
}
