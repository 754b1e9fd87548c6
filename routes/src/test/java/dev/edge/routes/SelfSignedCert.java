package dev.edge.routes;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A self-signed certificate for 127.0.0.1/localhost, made by the JDK's keytool and written as PEM files. */
public record SelfSignedCert(X509Certificate certificate, PrivateKey key) {

    /** Runs keytool for a fresh EC key pair whose subject is {@code CN=<name>}. */
    public static SelfSignedCert create(Path dir, String name) throws Exception {
        return create(dir, name, "ip:127.0.0.1,dns:localhost");
    }

    /** The same, for the subject alternative names {@code san} (keytool's syntax, e.g. {@code dns:other.test}). */
    public static SelfSignedCert create(Path dir, String name, String san) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Files.deleteIfExists(store);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "edge", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext", "SAN=" + san,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        return new SelfSignedCert((X509Certificate) keys.getCertificate("edge"),
                (PrivateKey) keys.getKey("edge", "changeit".toCharArray()));
    }

    /** Writes the certificate and the PKCS#8 key as PEM; returns them as {@link TlsFiles}. */
    public TlsFiles writePem(Path cert, Path key) throws Exception {
        // write then move, as an operator's renewal tool does, so a reader never sees half a file
        Path certTmp = cert.resolveSibling(cert.getFileName() + ".tmp");
        Path keyTmp = key.resolveSibling(key.getFileName() + ".tmp");
        Files.writeString(certTmp, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyTmp, pem("PRIVATE KEY", key().getEncoded()));
        Files.move(keyTmp, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.move(certTmp, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new TlsFiles(cert, key);
    }

    /** A client context that trusts exactly these certificates. */
    public static SSLContext trusting(Certificate... certificates) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (int i = 0; i < certificates.length; i++) {
            trusted.setCertificateEntry("c" + i, certificates[i]);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
