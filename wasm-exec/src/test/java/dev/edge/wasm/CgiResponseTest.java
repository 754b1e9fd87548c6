package dev.edge.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One test per CGI output rule of spin-semantics.md ("WAGI executor", Output). */
class CgiResponseTest {

    private static GuestResponse parse(String stdout) {
        return CgiResponse.parse(stdout.getBytes(StandardCharsets.UTF_8));
    }

    private static String body(GuestResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void headersBlankLineThenBodyAndDefaultStatus200() {
        GuestResponse response = parse("Content-Type: text/html\nX-Extra: yes\n\n<p>hi</p>\n\nmore");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers()).containsExactly(Map.entry("content-type", "text/html"),
                Map.entry("x-extra", "yes"));
        assertThat(body(response)).isEqualTo("<p>hi</p>\n\nmore");
    }

    @Test
    void carriageReturnsInTheHeaderBlockAreIgnoredButKeptInTheBody() {
        GuestResponse response = parse("Content-Type: text/plain\r\n\r\nline1\r\nline2");
        assertThat(response.headers()).containsExactly(Map.entry("content-type", "text/plain"));
        assertThat(body(response)).isEqualTo("line1\r\nline2");
    }

    @Test
    void statusLineSetsTheStatus() {
        GuestResponse response = parse("Status: 404 Not Found\n\ngone");
        assertThat(response.status()).isEqualTo(404);
        assertThat(body(response)).isEqualTo("gone");
        assertThat(response.headers()).isEmpty();
    }

    @Test
    void unparseableStatusGives502() {
        assertThat(parse("Status: abc\nContent-Type: text/plain\n\nx").status()).isEqualTo(502);
        assertThat(parse("Status: 99\n\nx").status()).isEqualTo(502);
        assertThat(parse("Status: 1000\n\nx").status()).isEqualTo(502);
        assertThat(parse("Status:\n\nx").status()).isEqualTo(502);
    }

    @Test
    void locationWithoutStatusGives302() {
        GuestResponse response = parse("Location: /elsewhere\n\n");
        assertThat(response.status()).isEqualTo(302);
        assertThat(response.headers()).containsExactly(Map.entry("location", "/elsewhere"));
    }

    @Test
    void locationWithStatusKeepsTheStatus() {
        assertThat(parse("Location: /x\nStatus: 301 Moved\n\n").status()).isEqualTo(301);
        assertThat(parse("Status: 307\nLocation: /x\n\n").status()).isEqualTo(307);
    }

    @Test
    void noContentTypeStatusOrLocationIs500WithSpinsMessage() {
        GuestResponse response = parse("X-Only: this\n\nbody");
        assertThat(response.status()).isEqualTo(500);
        assertThat(body(response)).isEqualTo("Exactly one of 'location' or 'content-type' must be specified");
        assertThat(response.headers()).isEmpty();
    }

    @Test
    void outputWithoutABlankLineHasNoHeaders() {
        GuestResponse response = parse("Content-Type: text/plain\nno blank line");
        assertThat(response.status()).isEqualTo(500);
        assertThat(body(response)).isEqualTo(CgiResponse.INSUFFICIENT);
    }

    @Test
    void headerNamesAreCaseInsensitiveAndValuesTrimmed() {
        GuestResponse response = parse("content-TYPE:   text/plain  \n  x-a : 1\n\n");
        assertThat(response.headers()).containsExactly(Map.entry("content-type", "text/plain"), Map.entry("x-a", "1"));
    }

    @Test
    void linesWithoutAColonAndInvalidNamesAreIgnored() {
        GuestResponse response = parse("Content-Type: a/b\ngarbage line\nbad name: v\n\n");
        assertThat(response.headers()).containsExactly(Map.entry("content-type", "a/b"));
    }

    @Test
    void aRepeatedHeaderKeepsTheLastValue() {
        GuestResponse response = parse("Content-Type: a/b\nX-N: 1\nx-n: 2\n\n");
        assertThat(response.headers()).containsExactly(Map.entry("content-type", "a/b"), Map.entry("x-n", "2"));
    }

    @Test
    void bodyBytesAreUntouched() {
        byte[] out = new byte[] {'C', 'o', 'n', 't', 'e', 'n', 't', '-', 'T', 'y', 'p', 'e', ':', 'x', '\n', '\n',
            (byte) 0xFF, 0, '\r', '\n'};
        assertThat(CgiResponse.parse(out).body()).containsExactly(0xFF, 0, '\r', '\n');
    }

    @Test
    void headersThatAreNotUtf8FailTheRequest() {
        byte[] out = {'C', 'o', 'n', 't', 'e', 'n', 't', '-', 'T', 'y', 'p', 'e', ':', (byte) 0xFF, '\n', '\n'};
        assertThatThrownBy(() -> CgiResponse.parse(out)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CGI headers are not valid UTF-8");
    }
}
