package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundHostTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "https://example.com,               https, example.com,   443,   443",
            "https://example.com:443,           https, example.com,   443,   443",
            "https://example.com:8443/,         https, example.com,   8443,  8443",
            "http://localhost,                  http,  localhost,     80,    80",
            "redis://cache.internal,            redis, cache.internal, 6379, 6379",
            "postgres://db,                     postgres, db,         5432,  5432",
            "*://localhost:*,                   *,     localhost,     0,     65535",
            "*://*:*,                           *,     *,             0,     65535",
            "https://*.example.com,             https, *.example.com, 443,   443",
            "http://self,                       http,  self,          80,    80",
            "http://localhost:8000..8080,       http,  localhost,     8000,  8079",
            "http://10.0.0.0/8:*,               http,  10.0.0.0/8,    0,     65535",
            "http://192.168.1.5:3000,           http,  192.168.1.5,   3000,  3000",
            "'http://[::1]:8080',               http,  '[::1]',       8080,  8080",
            "mqtt://broker,                     mqtt,  broker,        1883,  1883",
            "tcp://10.1.2.3:9000,               tcp,   10.1.2.3,      9000,  9000",
    })
    void acceptsSpinForms(String entry, String scheme, String host, int low, int high) {
        assertThat(OutboundHost.parse(entry)).isEqualTo(new OutboundHost(scheme, host, low, high));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "example.com", "example.com:443", "https://", "https://:443", "https://exa*mple.com", "https://*.*.com",
            "https://example.com/path", "https://example.com:443/path", "https://example.com:http",
            "https://example.com:70000", "https://example.com:90..80", "tcp://example.com", "*://example.com",
            "ht tp://example.com", "https://exa mple.com", "insecure:allow-all", "https://[::1"})
    void rejectsMalformedEntries(String entry) {
        assertThatThrownBy(() -> OutboundHost.parse(entry)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("null");
    }

    @ParameterizedTest
    @CsvSource({"*://localhost:*, true", "https://example.com, false"})
    void anyPort(String entry, boolean any) {
        assertThat(OutboundHost.parse(entry).anyPort()).isEqualTo(any);
    }
}
