package dev.edge.routes;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A PEM certificate chain and its private key, as {@code spin up --tls-cert/--tls-key} take them. The key may be
 * PKCS#8 ({@code PRIVATE KEY}: RSA, EC or Ed25519) or PKCS#1 ({@code RSA PRIVATE KEY}).
 */
public record TlsFiles(Path cert, Path key) {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    /** A server context holding this certificate and key; a bad file is an {@link IOException} naming it and why. */
    public SSLContext sslContext() throws IOException {
        return TlsSettings.of(this).sslContext();
    }

    /** Changes when either file is replaced or rewritten: what certificate reloading watches. */
    public String stamp() {
        return stamp(cert) + "/" + stamp(key);
    }

    private static String stamp(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file);
        } catch (IOException e) {
            return "missing";
        }
    }

    /** The certificate chain, leaf first. */
    X509Certificate[] chain() throws IOException {
        return certificates().stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
    }

    private List<Certificate> certificates() throws IOException {
        List<Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(cert, "CERTIFICATE")) {
                chain.add(factory.generateCertificate(new java.io.ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(cert + ": not a valid certificate (" + e.getMessage() + ")");
        }
        if (chain.isEmpty()) {
            throw new IOException(cert + ": no PEM CERTIFICATE block");
        }
        return chain;
    }

    PrivateKey privateKey() throws IOException {
        List<byte[]> pkcs8 = blocks(key, "PRIVATE KEY");
        List<byte[]> pkcs1 = blocks(key, "RSA PRIVATE KEY");
        byte[] der;
        if (pkcs8.size() == 1 && pkcs1.isEmpty()) {
            der = pkcs8.get(0);
        } else if (pkcs1.size() == 1 && pkcs8.isEmpty()) {
            der = rsaPkcs1ToPkcs8(pkcs1.get(0));
        } else {
            throw new IOException(key + ": expected one unencrypted PEM PRIVATE KEY (PKCS#8) or RSA PRIVATE KEY block"
                    + " (convert others with: openssl pkcs8 -topk8 -nocrypt)");
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(key + ": not an RSA, EC or Ed25519 private key");
    }

    private static List<byte[]> blocks(Path file, String type) throws IOException {
        String text;
        try {
            text = Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
        List<byte[]> found = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                try {
                    found.add(Base64.getMimeDecoder().decode(m.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": a " + type + " block is not valid base64");
                }
            }
        }
        return found;
    }

    /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, NULL). */
    private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        byte[] length;
        if (content.length < 0x80) {
            length = new byte[] {(byte) content.length};
        } else {
            byte[] digits = BigInteger.valueOf(content.length).toByteArray();
            int skip = digits[0] == 0 ? 1 : 0;
            length = new byte[digits.length - skip + 1];
            length[0] = (byte) (0x80 | (digits.length - skip));
            System.arraycopy(digits, skip, length, 1, digits.length - skip);
        }
        byte[] out = new byte[1 + length.length + content.length];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, content.length);
        return out;
    }
}
