package dev.edge.kv;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * The opaque {@code listKeys} cursor of the ordered backends: the last key of the previous page, as
 * unpadded base64url of its UTF-8 bytes. Opaque to guests; only the backend that minted it reads it.
 */
public final class KeyCursors {
    private KeyCursors() {
    }

    public static String encode(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
    }

    /** The key a cursor was made from; {@link KvException.Kind#OTHER} if it is not a cursor this class minted. */
    public static String decode(String cursor) {
        try {
            byte[] utf8 = Base64.getUrlDecoder().decode(cursor);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw new KvException(KvException.Kind.OTHER, "invalid list-keys cursor", e);
        }
    }
}
