package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseHeaderSafetyTest {

    @ParameterizedTest(name = "name [{0}] safe={1}")
    @CsvSource({
            "content-type, true",
            "X-Custom_1, true",
            "'bad name', false",
            "'x:y', false",
            "'', false",
            "'évil', false"})
    void headerNamesMustBeTokens(String name, boolean safe) {
        assertThat(SpinUndertowBinding.isSafe(name, true)).isEqualTo(safe);
    }

    @ParameterizedTest(name = "value [{0}] safe={1}")
    @CsvSource({
            "'text/plain; charset=utf-8', true",
            "'', true",
            "'a\r\nset-cookie: x=1', false",
            "'a\nb', false"})
    void headerValuesMustNotSplitTheResponse(String value, boolean safe) {
        assertThat(SpinUndertowBinding.isSafe(value, false)).isEqualTo(safe);
    }
}
