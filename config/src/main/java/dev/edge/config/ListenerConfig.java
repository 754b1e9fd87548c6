package dev.edge.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The public listener's settings in a runtime config ({@code [listener]}, an edge extension): TLS, and how many IO
 * threads (event loops) serve it.
 *
 * @param certificates  {@code [[listener.certificate]]}: certificates chosen by the client's SNI name, in file order;
 *                      the first is also the default when {@code --tls-cert} is not given
 * @param minTlsVersion {@code min_tls_version} as the JDK names it ({@code TLSv1.2} or {@code TLSv1.3}); empty is
 *                      the JDK's default (TLS 1.2 and 1.3)
 * @param ciphers       {@code ciphers}: the only cipher suites offered, JDK (IANA) names; empty is the JDK's default
 * @param ioThreads     {@code io_threads}: the listener's IO threads, as nginx's {@code worker_processes}, between 1 and
 *                      {@link #MAX_IO_THREADS}; empty is {@code max(cores, 2)}
 */
public record ListenerConfig(List<Certificate> certificates, Optional<String> minTlsVersion, List<String> ciphers,
                             OptionalInt ioThreads) {
    /** More event loops than this only add selectors and memory; no machine edge runs on has that many cores. */
    public static final int MAX_IO_THREADS = 256;
    public static final ListenerConfig DEFAULTS =
            new ListenerConfig(List.of(), Optional.empty(), List.of(), OptionalInt.empty());

    public ListenerConfig {
        certificates = List.copyOf(certificates);
        ciphers = List.copyOf(ciphers);
    }

    /**
     * One {@code [[listener.certificate]]}.
     *
     * @param serverNames exact names ({@code a.example}) or wildcards ({@code *.b.example}: any name ending in
     *                    {@code .b.example}), lower case
     */
    public record Certificate(Path cert, Path key, List<String> serverNames) {
        public Certificate {
            serverNames = List.copyOf(serverNames);
        }
    }

    /** True when min_tls_version or ciphers are set: settings that only mean something with a certificate. */
    public boolean tunesTls() {
        return minTlsVersion.isPresent() || !ciphers.isEmpty();
    }
}
