package dev.edge.routes;

import java.io.IOException;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Picks the server certificate by the host name the client asked for in its ClientHello (SNI,
 * {@link ExtendedSSLSession#getRequestedServerNames()}): an exact name first, then the longest matching wildcard
 * ({@code *.b.example} answers any name ending in {@code .b.example}, as nginx's {@code server_name}), else the
 * default certificate. Server side only.
 */
final class SniKeyManager extends X509ExtendedKeyManager {
    static final String DEFAULT_ALIAS = "default";

    private record Entry(PrivateKey key, X509Certificate[] chain) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> exact = new HashMap<>();
    /** Suffix ({@code .b.example}) to alias, longest suffix first. */
    private final List<Map.Entry<String, String>> wildcards = new ArrayList<>();

    SniKeyManager(TlsFiles defaultCertificate, List<TlsSettings.Named> named) throws IOException {
        entries.put(DEFAULT_ALIAS, load(defaultCertificate));
        for (int i = 0; i < named.size(); i++) {
            String alias = "sni-" + i;
            entries.put(alias, load(named.get(i).files()));
            for (String name : named.get(i).serverNames()) {
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.startsWith("*.")) {
                    wildcards.add(Map.entry(lower.substring(1), alias));
                } else {
                    exact.putIfAbsent(lower, alias);
                }
            }
        }
        wildcards.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed());
    }

    private static Entry load(TlsFiles files) throws IOException {
        X509Certificate[] chain = files.chain();
        PrivateKey key = files.privateKey();
        if (!chain[0].getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            throw new IOException(files.cert() + " and " + files.key() + ": the key does not fit the certificate ("
                    + key.getAlgorithm() + " key, " + chain[0].getPublicKey().getAlgorithm() + " certificate)");
        }
        return new Entry(key, chain);
    }

    /** The alias serving {@code host} (null: no SNI). */
    String aliasFor(String host) {
        if (host == null) {
            return DEFAULT_ALIAS;
        }
        String name = host.toLowerCase(Locale.ROOT);
        String alias = exact.get(name);
        if (alias != null) {
            return alias;
        }
        for (Map.Entry<String, String> wildcard : wildcards) {
            if (name.endsWith(wildcard.getKey())) {
                return wildcard.getValue();
            }
        }
        return DEFAULT_ALIAS;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType, socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null);
    }

    /** The certificate for the requested name if its key suits {@code keyType}; null lets the JDK try another type. */
    private String choose(String keyType, SSLSession handshake) {
        String alias = aliasFor(requestedHost(handshake));
        return suits(entries.get(alias), keyType) ? alias : null;
    }

    private static String requestedHost(SSLSession handshake) {
        if (handshake instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name.getType() == StandardConstants.SNI_HOST_NAME) {
                    return ((SNIHostName) name).getAsciiName();
                }
            }
        }
        return null;
    }

    /** {@code keyType} is a key algorithm ({@code EC}, {@code RSA}, {@code EdDSA}), for static ECDH {@code EC_RSA}. */
    private static boolean suits(Entry entry, String keyType) {
        String algorithm = keyType == null ? "" : keyType.split("_", 2)[0];
        return entry.key().getAlgorithm().equals(algorithm);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String[] aliases = entries.entrySet().stream().filter(e -> suits(e.getValue(), keyType))
                .map(Map.Entry::getKey).toArray(String[]::new);
        return aliases.length == 0 ? null : aliases;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Entry entry = entries.get(alias);
        return entry == null ? null : entry.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Entry entry = entries.get(alias);
        return entry == null ? null : entry.key();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null; // a listener presents no client certificate
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
