package dev.edge.routes;

import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The JDK's context with {@link TlsSettings}' versions and cipher suites set on every engine it makes, and an SNI
 * matcher that accepts any name. Without a matcher the JDK's server records no name in a session and would resume
 * it for a client asking for another name, skipping the certificate choice; with one it refuses, as RFC 6066
 * section 3 requires.
 */
final class ServerTlsContext extends SSLContext {
    private static final String ANY_NAME = ".*";

    ServerTlsContext(SSLContext jdk, List<String> protocols, List<String> ciphers) {
        super(new Spi(jdk, protocols, ciphers), jdk.getProvider(), jdk.getProtocol());
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext jdk;
        private final List<String> protocols;
        private final List<String> ciphers;

        Spi(SSLContext jdk, List<String> protocols, List<String> ciphers) {
            this.jdk = jdk;
            this.protocols = List.copyOf(protocols);
            this.ciphers = List.copyOf(ciphers);
        }

        private SSLEngine configured(SSLEngine engine) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setSNIMatchers(List.of(SNIHostName.createSNIMatcher(ANY_NAME)));
            if (!protocols.isEmpty()) {
                parameters.setProtocols(protocols.toArray(new String[0]));
            }
            if (!ciphers.isEmpty()) {
                parameters.setCipherSuites(ciphers.toArray(new String[0]));
            }
            engine.setSSLParameters(parameters);
            return engine;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            jdk.init(km, tm, sr);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return configured(jdk.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return configured(jdk.createSSLEngine(host, port));
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return jdk.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return jdk.getServerSocketFactory();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return jdk.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return jdk.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return jdk.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return jdk.getSupportedSSLParameters();
        }
    }
}
