package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code [listener]} in runtime-config.toml: certificates by SNI name, minimum TLS version, ciphers and IO threads. */
class ListenerConfigTest {
    @TempDir Path dir;

    @BeforeEach
    void pemFiles() throws Exception {
        // the loader only checks that the files exist; their PEM content is read by the listener
        for (String name : new String[] {"a.pem", "a.key", "b.pem", "b.key"}) {
            Files.writeString(dir.resolve(name), "pem\n");
        }
    }

    private RuntimeConfig load(String toml) throws Exception {
        Path file = Files.writeString(dir.resolve("runtime-config.toml"), toml);
        return RuntimeConfigLoader.load(file, dir.resolve(".spin"));
    }

    @Test
    void noListenerTableIsTheJdkDefaults() throws Exception {
        assertThat(load("").listener()).isEqualTo(ListenerConfig.DEFAULTS);
        assertThat(RuntimeConfigLoader.load(null, dir).listener()).isEqualTo(ListenerConfig.DEFAULTS);
        assertThat(ListenerConfig.DEFAULTS.tunesTls()).isFalse();
    }

    @Test
    void certificatesByNameVersionAndCiphers() throws Exception {
        ListenerConfig listener = load("""
                [listener]
                min_tls_version = "1.3"
                ciphers = ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]

                [[listener.certificate]]
                cert = "a.pem"
                key = "a.key"
                server_names = ["a.example", "WWW.A.example"]

                [[listener.certificate]]
                cert = "b.pem"
                key = "b.key"
                server_names = ["*.b.example"]
                """).listener();
        assertThat(listener.certificates()).containsExactly(
                new ListenerConfig.Certificate(dir.resolve("a.pem"), dir.resolve("a.key"), List.of("a.example", "www.a.example")),
                new ListenerConfig.Certificate(dir.resolve("b.pem"), dir.resolve("b.key"), List.of("*.b.example")));
        assertThat(listener.minTlsVersion()).contains("TLSv1.3");
        assertThat(listener.ciphers()).containsExactly("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        assertThat(listener.tunesTls()).isTrue();
        assertThat(load("[listener]\nmin_tls_version = \"1.2\"\n").listener().minTlsVersion()).isEqualTo(Optional.of("TLSv1.2"));
    }

    @Test
    void ioThreadsAreOptionalAndNeedNoCertificate() throws Exception {
        assertThat(ListenerConfig.DEFAULTS.ioThreads()).isEmpty();
        assertThat(load("[listener]\nmin_tls_version = \"1.3\"\n").listener().ioThreads()).isEmpty();
        ListenerConfig one = load("[listener]\nio_threads = 1\n").listener();
        assertThat(one.ioThreads()).isEqualTo(OptionalInt.of(1));
        assertThat(one.tunesTls()).isFalse();
        assertThat(load("[listener]\nio_threads = 256\n").listener().ioThreads()).isEqualTo(OptionalInt.of(256));
    }

    private static final String A =
            "[[listener.certificate]]\ncert = \"a.pem\"\nkey = \"a.key\"\n";

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("[listener]\nmin_tls_version = \"1.1\"\n", "listener.min_tls_version",
                        "unsupported version '1.1' (expected \"1.2\" or \"1.3\")"),
                Arguments.of("[listener]\nmin_tls_version = 3\n", "listener.min_tls_version",
                        "expected a string, found an integer"),
                Arguments.of("[listener]\nciphers = [\"TLS_NOPE\"]\n", "listener.ciphers[0]",
                        "'TLS_NOPE' is not a cipher suite this JDK supports (names as in IANA, e.g. TLS_AES_128_GCM_SHA256)"),
                Arguments.of("[listener]\nciphers = []\n", "listener.ciphers",
                        "list at least one cipher suite, or leave the field out for the JDK's defaults"),
                Arguments.of("[listener]\nmin_tls_version = \"1.3\"\nciphers = [\"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\"]\n", "listener.ciphers",
                        "no TLS 1.3 cipher suite listed, but min_tls_version is \"1.3\""),
                Arguments.of("[listener]\nio_threads = 0\n", "listener.io_threads",
                        "must be between 1 and 256, was 0"),
                Arguments.of("[listener]\nio_threads = -2\n", "listener.io_threads",
                        "must be between 1 and 256, was -2"),
                Arguments.of("[listener]\nio_threads = 257\n", "listener.io_threads",
                        "must be between 1 and 256, was 257"),
                Arguments.of("[listener]\nio_threads = \"2\"\n", "listener.io_threads",
                        "expected an integer, found a string"),
                Arguments.of("[listener]\nio_thread = 2\n", "listener.io_thread",
                        "unknown field 'io_thread' (did you mean 'io_threads'?)"),
                Arguments.of("[listener]\nprotocols = []\n", "listener.protocols",
                        "unknown field 'protocols'"),
                Arguments.of("[listener]\ncertificate = \"a.pem\"\n", "listener.certificate",
                        "expected an array, found a string"),
                Arguments.of("[[listener.certificate]]\nkey = \"a.key\"\nserver_names = [\"a.example\"]\n", "listener.certificate[0].cert",
                        "missing required field"),
                Arguments.of("[[listener.certificate]]\ncert = \"a.pem\"\nserver_names = [\"a.example\"]\n", "listener.certificate[0].key",
                        "missing required field"),
                Arguments.of("[[listener.certificate]]\ncert = \"\"\nkey = \"a.key\"\n", "listener.certificate[0].cert",
                        "must not be empty"),
                Arguments.of(A, "listener.certificate[0].server_names",
                        "missing required field: the SNI names this certificate answers, e.g. [\"a.example\", \"*.b.example\"]"),
                Arguments.of(A + "server_names = []\n", "listener.certificate[0].server_names",
                        "list at least one name"),
                Arguments.of(A + "server_names = [\"a.example:443\"]\n", "listener.certificate[0].server_names[0]",
                        "'a.example:443' is not a DNS name or a wildcard such as *.example.com"),
                Arguments.of(A + "server_names = [\"a.*.example\"]\n", "listener.certificate[0].server_names[0]",
                        "'a.*.example' is not a DNS name or a wildcard such as *.example.com"),
                Arguments.of(A + "server_names = [\"a.example\"]\n" + A + "server_names = [\"A.example\"]\n", "listener.certificate[1].server_names",
                        "'a.example' is already served by listener.certificate[0]"),
                Arguments.of(A + "server_names = [\"a.example\"]\nsni = true\n", "listener.certificate[0].sni",
                        "unknown field 'sni'"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("invalid")
    void invalidSettingsNameTheFieldAndTheReason(String toml, String field, String reason) throws Exception {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(toml));
        assertThat(e).as(toml).isNotNull();
        assertThat(e.getMessage()).isEqualTo(dir.resolve("runtime-config.toml") + ": " + field + ": " + reason);
    }

    @Test
    void aMissingCertificateFileIsNamedWithItsResolvedPath() throws Exception {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(
                "[[listener.certificate]]\ncert = \"certs/none.pem\"\nkey = \"a.key\"\nserver_names = [\"a.example\"]\n"));
        assertThat(e.getMessage()).isEqualTo(dir.resolve("runtime-config.toml") + ": listener.certificate[0].cert: "
                + dir.resolve("certs/none.pem") + " is not a file");
    }
}
