package dev.edge.routes;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/**
 * What the TLS listener serves: a default certificate, others chosen by the name the client asks for (SNI), and
 * the protocol versions and cipher suites it offers. Every certificate is read again when its files change.
 *
 * @param defaultCertificate served when the client sends no name or one no other certificate is for
 * @param named              certificates for the names they list ({@code a.example}, {@code *.b.example})
 * @param minVersion         {@code TLSv1.2} or {@code TLSv1.3}; empty is the JDK's default
 * @param ciphers            the only cipher suites offered; empty is the JDK's default
 */
public record TlsSettings(TlsFiles defaultCertificate, List<Named> named, Optional<String> minVersion,
                          List<String> ciphers) {

    /** A certificate and the SNI names it answers. */
    public record Named(TlsFiles files, List<String> serverNames) {
        public Named {
            serverNames = List.copyOf(serverNames);
        }
    }

    public TlsSettings {
        named = List.copyOf(named);
        ciphers = List.copyOf(ciphers);
        minVersion.filter(v -> !v.equals("TLSv1.2") && !v.equals("TLSv1.3")).ifPresent(v -> {
            throw new IllegalArgumentException("unsupported minimum TLS version " + v);
        });
    }

    /** One certificate for every name, the JDK's protocol versions and ciphers: {@code --tls-cert} alone. */
    public static TlsSettings of(TlsFiles files) {
        return new TlsSettings(files, List.of(), Optional.empty(), List.of());
    }

    /** The protocol versions to enable; empty leaves the JDK's default. */
    List<String> protocols() {
        return minVersion.map(v -> v.equals("TLSv1.3") ? List.of("TLSv1.3") : List.of("TLSv1.3", "TLSv1.2"))
                .orElse(List.of());
    }

    /**
     * A server context holding every certificate, choosing one per handshake by SNI name; a bad file is an
     * {@link IOException} naming it and why.
     */
    public SSLContext sslContext() throws IOException {
        SniKeyManager keys = new SniKeyManager(defaultCertificate, named);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, null, null);
            return new ServerTlsContext(context, protocols(), ciphers);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Changes when any certificate or key file is replaced or rewritten: what certificate reloading watches. */
    String stamp() {
        List<String> stamps = new ArrayList<>();
        stamps.add(defaultCertificate.stamp());
        named.forEach(n -> stamps.add(n.files().stamp()));
        return String.join(" ", stamps);
    }
}
