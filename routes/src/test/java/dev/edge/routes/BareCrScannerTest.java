package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scanner's verdicts do not depend on how the bytes are split into reads. */
class BareCrScannerTest {
    private static final String STREAM =
            "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\nb\rc\r\rd\r"
            + "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;x=1\r\n\r\r\r\r\r\n10\r\n" + "\r".repeat(16) + "\r\n0\r\nTrailer: t\r\n\r\n"
            + "GET /c HTTP/1.1\r\nHost: x\r\nX-A: 1\rX-B: 2\r\n\r\n"
            + "\r\nGET /d HTTP/1.1\nHost: x\n\n"
            + "GET /e HTTP/1.1\r\nHost: x\r\nX-End: v\r\r\n\r\n"
            + "GET /f HTTP/1.1\r\nhost: x\r\n content-LENGTH : 2\r\n\r\n\r\r" // framing names in any case
            + "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\r\r";

    @Test
    void verdictsPerHeadWhateverTheReadSizes() {
        List<Boolean> expected = List.of(false, false, true, false, true, false);
        for (int readSize : new int[] {1, 2, 3, 7, 64, STREAM.length()}) {
            assertThat(verdicts(readSize, expected.size() + 1)).as("reads of %d bytes", readSize)
                    .containsExactlyElementsOf(expected);
        }
    }

    private static List<Boolean> verdicts(int readSize, int asks) {
        BareCrScanner scanner = new BareCrScanner(8192);
        byte[] bytes = STREAM.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += readSize) {
            ByteBuffer buffer = ByteBuffer.allocate(readSize + 5);
            buffer.put(new byte[] {9, 9, 9, 9, 9}); // bytes already in the buffer are not looked at again
            int start = buffer.position();
            buffer.put(bytes, i, Math.min(readSize, bytes.length - i));
            scanner.scan(buffer, start);
        }
        List<Boolean> seen = new ArrayList<>();
        for (int i = 0; i < asks - 1; i++) {
            seen.add(scanner.nextHeadHadBareCr());
        }
        // after the HTTP/2 preface there are no more heads: asking again says false
        assertThat(scanner.nextHeadHadBareCr()).isFalse();
        return seen;
    }
}
