package dev.edge.component.runtime;

import dev.edge.wasm.AtomicFiles;
import dev.edge.wasm.CompileCache;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers {@link FunctionSplitter}'s output on disk, so a warm start neither splits a module again (0.5-0.7 s
 * of CPU for the JavaScript engine) nor hashes the split bytes to ask the compile cache for their classes.
 *
 * <p>An entry is named by the SHA-256 of the original bytes, the splitter's {@link FunctionSplitter#ID} and the
 * Chicory version, and holds the split bytes with their SHA-256 (Chicory's digest, which keys the compile
 * cache). Entries are written to a temporary file and moved into place; a CRC32C over the content catches a
 * torn or corrupted file (the directory is trusted like the state dir it is in, so the check is against
 * accidents, not forgery): such an entry is deleted with one log line and the module split again.
 */
final class SplitCache {
    private static final Logger LOG = LoggerFactory.getLogger(SplitCache.class);
    private static final byte[] MAGIC = "edge-split-cache-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SHA256_BYTES = 32;
    /** Magic, CRC32C of the rest, then the split bytes' SHA-256, a flag and (when it is set) the split bytes. */
    private static final int HEADER = MAGIC.length + Integer.BYTES + SHA256_BYTES + 1;
    private static final byte SAME = 0, STORED = 1;

    private SplitCache() {}

    /** A split module and its digest as Chicory's parser gives it ({@link CompileCache#chicoryDigest}). */
    record Split(byte[] bytes, String chicoryDigest) {}

    /**
     * {@code splitter}'s output for {@code original}, from the entry in {@code dir} when there is an intact one,
     * else computed and stored there.
     */
    static Split split(Path dir, byte[] original, String splitterId, UnaryOperator<byte[]> splitter) {
        byte[] originalDigest = sha256(original);
        Path file = dir.resolve(HexFormat.of().formatHex(sha256((HexFormat.of().formatHex(originalDigest) + "\n"
                + splitterId + "\n" + CompileCache.CHICORY_VERSION).getBytes(StandardCharsets.UTF_8))) + ".split");
        Split stored = read(file, original);
        if (stored != null) {
            return stored;
        }
        byte[] split = splitter.apply(original);
        boolean same = split == original || Arrays.equals(split, original);
        byte[] splitDigest = same ? originalDigest : sha256(split);
        try {
            write(file, splitDigest, same ? null : split);
        } catch (IOException e) {
            LOG.warn("cannot store the split module in {} ({}); it is split again on the next start", file, e.toString());
        }
        return new Split(same ? original : split, chicoryDigest(splitDigest));
    }

    private static Split read(Path file, byte[] original) {
        byte[] stored;
        try {
            stored = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("cannot read split cache entry {} ({}); splitting the module again", file, e.toString());
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(stored);
        boolean intact = stored.length >= HEADER
                && Arrays.equals(stored, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                && in.getInt(MAGIC.length) == crc32c(stored, MAGIC.length + Integer.BYTES)
                && switch (stored[HEADER - 1]) {
                    case SAME -> stored.length == HEADER;
                    case STORED -> stored.length > HEADER;
                    default -> false;
                };
        if (!intact) {
            LOG.warn("split cache entry {} is corrupted ({} bytes): deleted, the module is split again",
                    file, stored.length);
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("cannot delete split cache entry {} ({})", file, e.toString());
            }
            return null;
        }
        int from = MAGIC.length + Integer.BYTES;
        String digest = chicoryDigest(Arrays.copyOfRange(stored, from, from + SHA256_BYTES));
        byte[] bytes = stored[HEADER - 1] == SAME ? original : Arrays.copyOfRange(stored, HEADER, stored.length);
        return new Split(bytes, digest);
    }

    private static void write(Path file, byte[] splitDigest, byte[] split) throws IOException {
        int length = HEADER + (split == null ? 0 : split.length);
        ByteBuffer content = ByteBuffer.allocate(length);
        content.put(MAGIC).putInt(0).put(splitDigest).put(split == null ? SAME : STORED);
        if (split != null) {
            content.put(split);
        }
        byte[] bytes = content.array();
        ByteBuffer.wrap(bytes).putInt(MAGIC.length, crc32c(bytes, MAGIC.length + Integer.BYTES));
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    private static int crc32c(byte[] bytes, int from) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, bytes.length - from);
        return (int) crc.getValue();
    }

    private static String chicoryDigest(byte[] sha256) {
        return "sha-256:" + Base64.getEncoder().encodeToString(sha256);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
