package dev.edge.wasm;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An on-disk cache of Chicory's compiled JVM classes, so a module is compiled once per machine rather
 * than on every start (the 12 MB core module of a JavaScript component takes about 50 s to compile).
 * Chicory asks it by the module's digest; an entry's file name also covers the Chicory version and the
 * compile options, so an upgrade or an option change never loads stale classes. Entries are written to a
 * temporary file and moved into place atomically, and carry a SHA-256 of their content: a torn or
 * corrupted entry is deleted and reported as a miss, and the module is compiled again.
 */
public final class CompileCache implements Cache {
    /** The Chicory compiler version, read from its jar. */
    public static final String CHICORY_VERSION = chicoryVersion();

    private static final Logger LOG = LoggerFactory.getLogger(CompileCache.class);
    private static final byte[] MAGIC = "edge-compile-cache-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SHA256_BYTES = 32;

    private final Path dir;
    private final String options;
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger misses = new AtomicInteger();
    private final AtomicInteger corrupt = new AtomicInteger();

    /** The cache in {@code dir} (created when needed) for modules compiled the way {@link CompiledModule} does. */
    public static CompileCache at(Path dir) {
        return new CompileCache(dir, CompiledModule.COMPILE_OPTIONS);
    }

    CompileCache(Path dir, String options) {
        this.dir = dir;
        this.options = options;
    }

    /** The directory entries are kept in (others may keep derived data there, under their own suffix). */
    public Path dir() {
        return dir;
    }

    /** The entry file for a module digest. */
    Path entry(String moduleDigest) {
        return dir.resolve(hex(sha256((moduleDigest + "\n" + CHICORY_VERSION + "\n" + options)
                .getBytes(StandardCharsets.UTF_8))) + ".classes");
    }

    /**
     * Whether classes compiled from exactly these module bytes are stored. Entries are written only after a
     * module parsed with validation has compiled, so a caller may parse such bytes again without Chicory's
     * validation (about half of parsing a large module; the cache dir is trusted like the state dir it is in).
     */
    public boolean holds(byte[] module) {
        return Files.isRegularFile(entry(chicoryDigest(module)));
    }

    /**
     * The classes stored for exactly these module bytes, or null (a miss; a corrupted entry is deleted and
     * logged as {@link #get} does).
     */
    public byte[] classesOf(byte[] module) throws IOException {
        return get(chicoryDigest(module));
    }

    /** The digest Chicory's parser gives a module (its default, SHA-256): what the cache is asked by. */
    public static String chicoryDigest(byte[] module) {
        return "sha-256:" + java.util.Base64.getEncoder().encodeToString(sha256(module));
    }

    @Override
    public byte[] get(String moduleDigest) throws IOException {
        Path file = entry(moduleDigest);
        byte[] stored;
        try {
            stored = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            misses.incrementAndGet();
            return null;
        }
        int header = MAGIC.length + SHA256_BYTES;
        if (stored.length < header || !Arrays.equals(stored, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                || !Arrays.equals(stored, MAGIC.length, header, sha256(stored, header), 0, SHA256_BYTES)) {
            corrupt.incrementAndGet();
            misses.incrementAndGet();
            Files.deleteIfExists(file);
            LOG.warn("compile cache entry {} is corrupted ({} bytes): deleted, the module is compiled again",
                    file, stored.length);
            return null;
        }
        hits.incrementAndGet();
        return Arrays.copyOfRange(stored, header, stored.length);
    }

    @Override
    public void putIfAbsent(String moduleDigest, byte[] classes) throws IOException {
        AtomicFiles.write(entry(moduleDigest), out -> {
            out.write(MAGIC);
            out.write(sha256(classes, 0));
            out.write(classes);
        });
    }

    /** Forgets an entry whose classes Chicory could not load although its checksum was right. */
    public void evict(String moduleDigest) throws IOException {
        corrupt.incrementAndGet();
        LOG.warn("compile cache entry {} holds classes that do not load: deleted, the module is compiled again",
                entry(moduleDigest));
        Files.deleteIfExists(entry(moduleDigest));
    }

    public int hits() { return hits.get(); }

    public int misses() { return misses.get(); }

    /** Entries found unreadable (bad header or checksum, or classes that did not load) and deleted. */
    public int corrupt() { return corrupt.get(); }

    private static byte[] sha256(byte[] bytes) {
        return sha256(bytes, 0);
    }

    private static byte[] sha256(byte[] bytes, int from) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, from, bytes.length - from);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String chicoryVersion() {
        try (InputStream in = MachineFactoryCompiler.class.getResourceAsStream(
                "/META-INF/maven/com.dylibso.chicory/compiler/pom.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through: an unknown version still keys entries apart from every known one
        }
        return "unknown";
    }
}
