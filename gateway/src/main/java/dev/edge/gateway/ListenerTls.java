package dev.edge.gateway;

import dev.edge.config.ConfigException;
import dev.edge.config.ListenerConfig;
import dev.edge.routes.TlsFiles;
import dev.edge.routes.TlsSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The public listener's TLS from {@code --tls-cert/--tls-key} and the runtime config's {@code [listener]}: the flags'
 * certificate is the default, else the first {@code [[listener.certificate]]}; the others are chosen by SNI name.
 */
final class ListenerTls {
    private ListenerTls() {}

    /**
     * @return empty for plain HTTP
     * @throws ConfigException {@code min_tls_version} or {@code ciphers} set without any certificate
     */
    static Optional<TlsSettings> settings(Optional<TlsFiles> flags, ListenerConfig listener, Path runtimeConfigFile) {
        List<TlsSettings.Named> named = listener.certificates().stream()
                .map(c -> new TlsSettings.Named(new TlsFiles(c.cert(), c.key()), c.serverNames())).toList();
        Optional<TlsFiles> fallback = flags.or(() -> named.stream().findFirst().map(TlsSettings.Named::files));
        if (fallback.isEmpty()) {
            if (listener.tunesTls()) {
                throw new ConfigException(runtimeConfigFile.toAbsolutePath().normalize(), "listener",
                        "min_tls_version and ciphers need a certificate: give --tls-cert and --tls-key,"
                                + " or a [[listener.certificate]]");
            }
            return Optional.empty();
        }
        return Optional.of(new TlsSettings(fallback.get(), named, listener.minTlsVersion(), listener.ciphers()));
    }
}
