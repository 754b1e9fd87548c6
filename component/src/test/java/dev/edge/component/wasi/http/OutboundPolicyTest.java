package dev.edge.component.wasi.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The matching rules of Spin's allowed_hosts.rs, case by case. */
class OutboundPolicyTest {

    @Test
    void schemeHostAndDefaultPortMustAllMatch() {
        OutboundPolicy p = OutboundPolicy.parse(List.of("https://api.example.com"));
        assertThat(p.allows("https", "api.example.com", -1)).isTrue();
        assertThat(p.allows("https", "API.Example.com", 443)).isTrue();
        assertThat(p.allows("http", "api.example.com", -1)).isFalse();
        assertThat(p.allows("https", "api.example.com", 8443)).isFalse();
        assertThat(p.allows("https", "other.example.com", -1)).isFalse();
    }

    @Test
    void subdomainWildcardMatchesSubdomainsOnly() {
        OutboundPolicy p = OutboundPolicy.parse(List.of("*://*.example.com:*"));
        assertThat(p.allows("http", "a.example.com", 8080)).isTrue();
        assertThat(p.allows("https", "a.b.example.com", -1)).isTrue();
        assertThat(p.allows("https", "example.com", -1)).isFalse();
        assertThat(p.allows("https", "badexample.com", -1)).isFalse();
    }

    @Test
    void portRangesExcludeTheirEndAndCidrsMatchAddresses() {
        OutboundPolicy p = OutboundPolicy.parse(List.of("http://10.0.0.0/8:8000..8080", "http://[::1]:9000"));
        assertThat(p.allows("http", "10.1.2.3", 8000)).isTrue();
        assertThat(p.allows("http", "10.1.2.3", 8079)).isTrue();
        assertThat(p.allows("http", "10.1.2.3", 8080)).isFalse();
        assertThat(p.allows("http", "11.1.2.3", 8000)).isFalse();
        assertThat(p.allows("http", "ten.example", 8000)).isFalse();
        assertThat(p.allows("http", "[0:0:0:0:0:0:0:1]", 9000)).isTrue();
    }

    @Test
    void selfAndAnyHostAllowRelativeRequests() {
        assertThat(OutboundPolicy.parse(List.of("http://self")).allowsSelf()).isTrue();
        assertThat(OutboundPolicy.parse(List.of("*://*:*")).allowsSelf()).isTrue();
        assertThat(OutboundPolicy.parse(List.of("http://self")).allows("http", "self", -1)).isFalse();
        assertThat(OutboundPolicy.parse(List.of("https://example.com")).allowsSelf()).isFalse();
        assertThat(OutboundPolicy.parse(List.of()).allows("https", "example.com", -1)).isFalse();
    }
}
