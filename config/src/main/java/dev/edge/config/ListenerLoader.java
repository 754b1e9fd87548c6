package dev.edge.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import javax.net.ssl.SSLContext;

/** Parses and validates the {@code [listener]} table of a runtime config. */
final class ListenerLoader {
    /** A DNS name of letters, digits and hyphens, optionally {@code *.} in front. */
    private static final String LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
    private static final String SERVER_NAME = "(\\*\\.)?" + LABEL + "(\\." + LABEL + ")*";

    private ListenerLoader() {}

    static ListenerConfig load(Table root, Path baseDir) {
        return root.optTable("listener").map(t -> listener(t, baseDir)).orElse(ListenerConfig.DEFAULTS);
    }

    private static ListenerConfig listener(Table t, Path baseDir) {
        t.allowOnly("certificate", "min_tls_version", "ciphers", "io_threads");
        List<ListenerConfig.Certificate> certificates = new ArrayList<>();
        Map<String, String> owners = new HashMap<>();
        List<Object> raw = t.optArray("certificate").orElse(List.of());
        for (int i = 0; i < raw.size(); i++) {
            Table c = t.table(raw.get(i), t.fieldPath("certificate") + "[" + i + "]");
            ListenerConfig.Certificate certificate = certificate(c, baseDir);
            for (String name : certificate.serverNames()) {
                String previous = owners.putIfAbsent(name, c.path());
                if (previous != null) {
                    throw c.error("server_names", "'" + name + "' is already served by " + previous);
                }
            }
            certificates.add(certificate);
        }
        Optional<String> min = t.optString("min_tls_version").map(v -> switch (v) {
            case "1.2" -> "TLSv1.2";
            case "1.3" -> "TLSv1.3";
            default -> throw t.error("min_tls_version", "unsupported version '" + v + "' (expected \"1.2\" or \"1.3\")");
        });
        List<String> ciphers = t.stringList("ciphers");
        if (t.has("ciphers")) {
            checkCiphers(t, ciphers, min);
        }
        return new ListenerConfig(certificates, min, ciphers, ioThreads(t));
    }

    private static OptionalInt ioThreads(Table t) {
        Optional<Long> n = t.optLong("io_threads");
        if (n.isPresent() && (n.get() < 1 || n.get() > ListenerConfig.MAX_IO_THREADS)) {
            throw t.error("io_threads", "must be between 1 and " + ListenerConfig.MAX_IO_THREADS + ", was " + n.get());
        }
        return n.map(v -> OptionalInt.of(v.intValue())).orElse(OptionalInt.empty());
    }

    private static ListenerConfig.Certificate certificate(Table c, Path baseDir) {
        c.allowOnly("cert", "key", "server_names");
        Path cert = file(c, "cert", baseDir);
        Path key = file(c, "key", baseDir);
        if (!c.has("server_names")) {
            throw c.error("server_names", "missing required field: the SNI names this certificate answers,"
                    + " e.g. [\"a.example\", \"*.b.example\"]");
        }
        List<String> names = new ArrayList<>();
        List<String> texts = c.stringList("server_names");
        if (texts.isEmpty()) {
            throw c.error("server_names", "list at least one name");
        }
        for (int i = 0; i < texts.size(); i++) {
            String name = texts.get(i).toLowerCase(Locale.ROOT);
            if (name.length() > 253 || !name.matches(SERVER_NAME)) {
                throw new ConfigException(c.file(), c.fieldPath("server_names") + "[" + i + "]", "'" + texts.get(i)
                        + "' is not a DNS name or a wildcard such as *.example.com");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return new ListenerConfig.Certificate(cert, key, names);
    }

    /** A PEM file, relative to the runtime config's directory; its content is read when the listener starts. */
    private static Path file(Table c, String key, Path baseDir) {
        String text = c.requireString(key);
        if (text.isBlank()) {
            throw c.error(key, "must not be empty");
        }
        Path path;
        try {
            path = baseDir.resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw c.error(key, "invalid path '" + text + "'");
        }
        if (!Files.isRegularFile(path)) {
            throw c.error(key, path + " is not a file");
        }
        return path;
    }

    private static void checkCiphers(Table t, List<String> ciphers, Optional<String> min) {
        if (ciphers.isEmpty()) {
            throw t.error("ciphers", "list at least one cipher suite, or leave the field out for the JDK's defaults");
        }
        Set<String> supported = supportedCipherSuites();
        for (int i = 0; i < ciphers.size(); i++) {
            if (!supported.contains(ciphers.get(i))) {
                throw new ConfigException(t.file(), t.fieldPath("ciphers") + "[" + i + "]", "'" + ciphers.get(i)
                        + "' is not a cipher suite this JDK supports (names as in IANA, e.g. TLS_AES_128_GCM_SHA256)");
            }
        }
        // TLS 1.3 suites are the ones without a key exchange in their name (TLS_AES_128_GCM_SHA256)
        if (min.equals(Optional.of("TLSv1.3")) && ciphers.stream().allMatch(c -> c.contains("_WITH_"))) {
            throw t.error("ciphers", "no TLS 1.3 cipher suite listed, but min_tls_version is \"1.3\"");
        }
    }

    private static Set<String> supportedCipherSuites() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }
}
