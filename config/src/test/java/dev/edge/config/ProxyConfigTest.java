package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code [proxy]} in runtime-config.toml, its CIDR blocks, and the shared upstream URL check. */
class ProxyConfigTest {
    @TempDir Path dir;

    private RuntimeConfig load(String toml) throws Exception {
        Path file = Files.writeString(dir.resolve("runtime-config.toml"), toml);
        return RuntimeConfigLoader.load(file, dir.resolve(".spin"));
    }

    @Test
    void trustsNoPeerByDefault() throws Exception {
        assertThat(load("").proxy().trustForwarded()).isEmpty();
        assertThat(RuntimeConfigLoader.load(null, dir).proxy()).isEqualTo(ProxyConfig.DEFAULTS);
    }

    @Test
    void trustForwardedIsAListOfAddressesAndBlocks() throws Exception {
        List<CidrBlock> trusted = load("[proxy]\ntrust_forwarded = [\"10.0.0.0/8\", \"127.0.0.1\", \"fd00::/8\"]\n")
                .proxy().trustForwarded();
        assertThat(trusted).containsExactly(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("127.0.0.1/32"),
                CidrBlock.parse("fd00::/8"));
        assertThat(trusted.get(0).contains(InetAddress.getByName("10.200.1.2").getAddress())).isTrue();
        assertThat(trusted.get(0).contains(InetAddress.getByName("11.0.0.1").getAddress())).isFalse();
        assertThat(trusted.get(1).contains(InetAddress.getByName("127.0.0.2").getAddress())).isFalse();
        assertThat(trusted.get(2).contains(InetAddress.getByName("fd12::1").getAddress())).isTrue();
        assertThat(trusted.get(2).contains(InetAddress.getByName("10.0.0.1").getAddress())).isFalse();
        assertThat(CidrBlock.parse("10.1.2.3/8")).isEqualTo(CidrBlock.parse("10.0.0.0/8"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "trust_forwarded = [\"localhost\"]  | proxy.trust_forwarded[0] | 'localhost' is not an IP address or CIDR block such as \"10.0.0.0/8\" or \"::1/128\"",
            "trust_forwarded = [\"10.0.0.0/33\"] | proxy.trust_forwarded[0] | '10.0.0.0/33' has an invalid prefix length (0..32)",
            "trust_forwarded = \"10.0.0.0/8\"    | proxy.trust_forwarded | expected an array, found a string",
            "trust = []                        | proxy.trust | unknown field 'trust' (did you mean 'trust_forwarded'?)",
    })
    void invalidValuesNameTheFieldAndTheReason(String line, String field, String reason) throws Exception {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("[proxy]\n" + line + "\n"));
        assertThat(e).as(line).isNotNull();
        assertThat(e.getMessage()).isEqualTo(dir.resolve("runtime-config.toml").toAbsolutePath().normalize() + ": "
                + field + ": " + reason);
    }

    @Test
    void upstreamPoolsHaveTargetsABalanceAndTimeouts() throws Exception {
        ProxyConfig proxy = load("""
                [upstream.api]
                targets = ["http://10.0.0.5:9000", "http://10.0.0.6:9000/v1"]
                balance = "hash"
                hash_on = "header:X-User"
                request_timeout = "5s"
                eject_for = "2s"

                [upstream.web]
                targets = ["https://web.internal"]
                """).proxy();
        List<java.net.URI> targets = List.of(java.net.URI.create("http://10.0.0.5:9000"),
                java.net.URI.create("http://10.0.0.6:9000/v1"));
        assertThat(proxy.upstream("api")).contains(UpstreamPoolConfig.of("api", targets)
                .withBalance(UpstreamPoolConfig.Balance.HASH, java.util.Optional.of("header:x-user"))
                .withTimeouts(new UpstreamPoolConfig.Timeouts(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5),
                        java.util.Optional.empty(), java.time.Duration.ofSeconds(60)))
                .withEjection(new UpstreamPoolConfig.Ejection(5, java.time.Duration.ofSeconds(2))));
        UpstreamPoolConfig web = proxy.upstream("web").orElseThrow();
        assertThat(web.balance()).isEqualTo(UpstreamPoolConfig.Balance.ROUND_ROBIN);
        assertThat(web.timeouts()).isEqualTo(UpstreamPoolConfig.Timeouts.DEFAULTS);
        assertThat(web.retries()).as("no retry table: each other target once after a connect failure")
                .isEqualTo(UpstreamPoolConfig.Retries.defaults(1));
        assertThat(web.retries().attempts()).isZero();
        assertThat(proxy.upstream("api").orElseThrow().retries().attempts()).isEqualTo(1);
        assertThat(proxy.upstream("nope")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "targets = []                                   | upstream.api.targets | a pool needs at least one target",
            "balance = \"round_robin\"                      | upstream.api.targets | missing required field: list the pool's URLs, e.g. [\"http://10.0.0.5:9000\"]",
            "targets = [\"http://u:pw@h\"]                  | upstream.api.targets[0] | 'http://***@h' must not have user info, a query or a fragment",
            "targets = [\"http://h\", \"http://h\"]         | upstream.api.targets[1] | 'http://h' is listed twice",
            "targets = [\"http://h\"]\\nbalance = \"random\" | upstream.api.balance | unknown balance 'random' (expected round_robin, least_request or hash)",
            "targets = [\"http://h\"]\\nbalance = \"hash\"   | upstream.api.hash_on | balance = \"hash\" needs hash_on: \"header:<name>\", \"cookie:<name>\" or \"path\"",
            "targets = [\"http://h\"]\\nhash_on = \"path\"   | upstream.api.hash_on | only used with balance = \"hash\"",
            "targets = [\"http://h\"]\\nretry = 2            | upstream.api.retry | unknown field 'retry'",
            "targets = [\"http://h\"]\\nretries = 2          | upstream.api.retries | expected a table, found an integer",
            "targets = [\"http://h\"]\\nretries = { attempts = 11 } | upstream.api.retries.attempts | must be between 0 and 10",
            "targets = [\"http://h\"]\\nretries = { on = [\"connect-failure\", \"404\"] } | upstream.api.retries.on[1] | unknown condition '404' (expected connect-failure, timeout, reset, 5xx or a 5xx status such as 503)",
            "targets = [\"http://h\"]\\nretries = { methods = [\"GET\", \"post\"] } | upstream.api.retries.methods[1] | POST is not idempotent: a request the upstream may have acted on is never sent twice",
            "targets = [\"http://h\"]\\nretries = { methods = \"all\" } | upstream.api.retries.methods | 'all' is not \"idempotent\" or a list of idempotent methods",
            "targets = [\"http://h\"]\\nconnect_timeout = \"1 s\" | upstream.api.connect_timeout | invalid duration '1 s'; expected a number followed by ms, s, m or h (e.g. \"500ms\", \"30s\")",
            "targets = [\"http://h\"]\\nrequest_timeout = \"2s\"\\ntry_timeout = \"3s\" | upstream.api.try_timeout | must be at most 2s",
            "targets = [\"http://h\"]\\nidle_timeout = \"0s\" | upstream.api.idle_timeout | must be greater than 0",
            "targets = [\"http://h\"]\\neject_after = 0      | upstream.api.eject_after | must be between 1 and 100",
            "targets = [\"https://h\"]\\nca_file = \"runtime-config.toml\" | upstream.api.ca_file | DIR/runtime-config.toml holds no PEM certificate",
            "targets = [\"https://h\"]\\nca_file = \"missing.pem\" | upstream.api.ca_file | DIR/missing.pem is not a file",
            "targets = [\"http://h\"]\\ncircuit_breaker = { failure_rate = 150 } | upstream.api.circuit_breaker.failure_rate | must be a percentage between 1 and 100",
            "targets = [\"http://h\"]\\ncircuit_breaker = { window = 0 } | upstream.api.circuit_breaker.window | must be between 1 and 10000 requests",
            "targets = [\"http://h\"]\\ncircuit_breaker = { open_for = 10 } | upstream.api.circuit_breaker.open_for | expected a string, found an integer",
            "targets = [\"http://h\"]\\nhealth = { interval = \"2s\" } | upstream.api.health.path | missing required field, e.g. \"/healthz\"",
            "targets = [\"http://h\"]\\nhealth = { path = \"healthz\" } | upstream.api.health.path | 'healthz' must be a path starting with '/' (a query may follow), no spaces",
            "targets = [\"http://h\"]\\nhealth = { path = \"/h\", interval = \"1s\", timeout = \"2s\" } | upstream.api.health.timeout | must be at most 1s",
            "targets = [\"http://h\"]\\nhealth = { path = \"/h\", healthy_after = 0 } | upstream.api.health.healthy_after | must be between 1 and 100",
            "targets = [\"http://h\"]\\nhealth = { path = \"/h\", every = \"1s\" } | upstream.api.health.every | unknown field 'every'",
    })
    void invalidPoolsNameTheFieldAndTheReason(String lines, String field, String reason) throws Exception {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> load("[upstream.api]\n" + lines.replace("\\n", "\n") + "\n"));
        assertThat(e).as(lines).isNotNull();
        assertThat(e.getMessage()).isEqualTo(dir.resolve("runtime-config.toml").toAbsolutePath().normalize() + ": "
                + field + ": " + reason.replace("DIR", dir.toAbsolutePath().normalize().toString()));
    }

    @Test
    void timeoutsRetriesAndEjectionAreReadFromThePool() throws Exception {
        UpstreamPoolConfig api = load("""
                [upstream.api]
                targets = ["http://10.0.0.5:9000", "http://10.0.0.6:9000"]
                connect_timeout = "250ms"
                request_timeout = "10s"
                try_timeout = "2s"
                idle_timeout = "30s"
                retries = { attempts = 2, on = ["connect-failure", "timeout", "reset", "503", "5xx"], methods = ["GET", "put"] }
                eject_after = 3
                eject_for = "20s"
                """).proxy().upstream("api").orElseThrow();
        assertThat(api.timeouts()).isEqualTo(new UpstreamPoolConfig.Timeouts(java.time.Duration.ofMillis(250),
                java.time.Duration.ofSeconds(10), java.util.Optional.of(java.time.Duration.ofSeconds(2)),
                java.time.Duration.ofSeconds(30)));
        assertThat(api.retries().attempts()).isEqualTo(2);
        assertThat(api.retries().on()).containsExactlyInAnyOrder(UpstreamPoolConfig.Failure.values());
        assertThat(api.retries().statuses()).hasSize(100).contains(500, 503, 599);
        assertThat(api.retries().methods()).containsExactlyInAnyOrder("GET", "PUT");
        assertThat(api.ejection()).isEqualTo(new UpstreamPoolConfig.Ejection(3, java.time.Duration.ofSeconds(20)));
        assertThat(api.health()).isEmpty();
        assertThat(api.circuitBreaker()).isEmpty();
        assertThat(load("""
                [upstream.api]
                targets = ["http://10.0.0.5:9000"]
                circuit_breaker = { failure_rate = 25, window = 40, open_for = "3s" }
                """).proxy().upstream("api").orElseThrow().circuitBreaker())
                .contains(new UpstreamPoolConfig.CircuitBreaker(25, 40, java.time.Duration.ofSeconds(3)));
        UpstreamPoolConfig checked = load("""
                [upstream.api]
                targets = ["http://10.0.0.5:9000"]
                health = { path = "/healthz?deep=1", interval = "2s", unhealthy_after = 2, healthy_after = 4 }
                """).proxy().upstream("api").orElseThrow();
        assertThat(checked.health()).contains(new UpstreamPoolConfig.Health("/healthz?deep=1",
                java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2), 2, 4));
        UpstreamPoolConfig.Retries idempotent = load("""
                [upstream.api]
                targets = ["http://10.0.0.5:9000"]
                retries = { attempts = 1, on = ["503"], methods = "idempotent" }
                """).proxy().upstream("api").orElseThrow().retries();
        assertThat(idempotent.statuses()).containsExactly(503);
        assertThat(idempotent.on()).isEmpty();
        assertThat(idempotent.methods()).isEqualTo(UpstreamPoolConfig.Retries.IDEMPOTENT);
    }

    @Test
    void upstreamUrlsRefuseWhatAProxyWouldDropAndNeverShowAPassword() {
        assertThat(UpstreamUrl.parse(" http://10.0.0.5:9000/v1 ")).hasToString("http://10.0.0.5:9000/v1");
        assertThatThrownBy(() -> UpstreamUrl.parse("http://user:s3cret@h/b"))
                .hasMessage("'http://***@h/b' must not have user info, a query or a fragment");
        assertThatThrownBy(() -> UpstreamUrl.parse("http://h/b?x=1")).hasMessageContaining("a query");
        assertThatThrownBy(() -> UpstreamUrl.parse("ftp://h")).hasMessageContaining("must be an http(s) URL with a host");
        assertThatThrownBy(() -> UpstreamUrl.parse("http://u:s3cret@h/ b")).hasMessageNotContaining("s3cret");
    }
}
