package dev.edge.component.binary;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/** A cursor over a byte range of a component binary: LEB128, names, and errors that carry the offset. */
final class Reader {
    private final byte[] bytes;
    private int pos;
    private final int end;

    Reader(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.pos = start;
        this.end = end;
    }

    boolean atEnd() { return pos >= end; }

    int pos() { return pos; }

    byte[] bytes() { return bytes; }

    ComponentFormatException error(String message) {
        return new ComponentFormatException(message + " (at byte offset " + pos + ")");
    }

    int u8() {
        if (pos >= end) {
            throw error("unexpected end of section");
        }
        return bytes[pos++] & 0xff;
    }

    int peek() {
        if (pos >= end) {
            throw error("unexpected end of section");
        }
        return bytes[pos] & 0xff;
    }

    int u32() {
        long result = 0;
        int shift = 0;
        while (true) {
            int b = u8();
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 28) {
                throw error("u32 LEB128 too long");
            }
        }
        if (result > 0xffffffffL) {
            throw error("u32 out of range");
        }
        if (result > Integer.MAX_VALUE) {
            throw error("count or index too large: " + result);
        }
        return (int) result;
    }

    /** A signed LEB128 up to 33 bits (core value types and type indices share this encoding). */
    long s33() {
        long result = 0;
        int shift = 0;
        int b;
        do {
            b = u8();
            result |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0 && shift < 35);
        if ((b & 0x80) != 0) {
            throw error("s33 LEB128 too long");
        }
        if (shift < 64 && (b & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    String name() {
        int len = u32();
        if (len > end - pos) {
            throw error("name runs past the section");
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, pos, len)).toString();
            pos += len;
            return s;
        } catch (CharacterCodingException e) {
            throw error("name is not valid UTF-8");
        }
    }

    Reader sub(int len) {
        if (len > end - pos) {
            throw error("section of " + len + " bytes runs past the end");
        }
        Reader r = new Reader(bytes, pos, pos + len);
        pos += len;
        return r;
    }

    /** The bytes from here to the end of this range. */
    byte[] rest() {
        return take(end - pos);
    }

    void skipLeb() {
        while ((u8() & 0x80) != 0) {
            // continuation bytes
        }
    }

    byte[] take(int len) {
        Reader r = sub(len);
        byte[] out = new byte[len];
        System.arraycopy(bytes, r.pos, out, 0, len);
        return out;
    }
}
