package dev.edge.wasm;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked access to one instance's linear memory for the host functions. Every guest pointer is
 * an unsigned 32-bit offset; a range that does not fit in the current memory is a trap ({@link GuestTrap}),
 * never a JVM exception escaping. Variable-size results are placed with the guest's {@code edge_alloc}.
 */
final class GuestMemory {
    private final Instance instance;
    private final Memory memory;
    private final ExportFunction alloc;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    GuestMemory(Instance instance) {
        this.instance = instance;
        this.memory = instance.memory();
        this.alloc = instance.export(GuestAbi.EXPORT_ALLOC);
    }

    Instance instance() { return instance; }

    Memory memory() { return memory; }

    /** Traps unless {@code [ptr, ptr+len)} lies inside memory; both are read as unsigned 32-bit values. */
    void check(long ptr, long len) {
        long start = ptr & 0xFFFFFFFFL;
        long count = len & 0xFFFFFFFFL;
        long size = (long) memory.pages() * GuestAbi.PAGE_SIZE;
        if (start + count > size) {
            throw new GuestTrap("out of bounds memory access: [" + start + ", " + (start + count)
                    + ") outside memory of " + size + " bytes");
        }
    }

    byte[] read(long ptr, long len) {
        check(ptr, len);
        if (len == 0) {
            return new byte[0];
        }
        return memory.readBytes((int) ptr, (int) len);
    }

    int readI32(long ptr) {
        check(ptr, 4);
        return memory.readInt((int) ptr);
    }

    void writeI32(long ptr, int value) {
        check(ptr, 4);
        memory.writeI32((int) ptr, value);
    }

    void writeI64(long ptr, long value) {
        check(ptr, 8);
        memory.writeLong((int) ptr, value);
    }

    /** Strict UTF-8 text at {@code [ptr, ptr+len)}; {@link AbiError} (other) if it is not valid UTF-8. */
    String readUtf8(long ptr, long len, String what) {
        byte[] bytes = read(ptr, len);
        if (isAscii(bytes)) {
            return new String(bytes, StandardCharsets.ISO_8859_1); // one copy; no decoder buffers for plain ASCII
        }
        try {
            return utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new AbiError(GuestAbi.ERR_OTHER, what + " is not valid UTF-8");
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** Copies {@code data} into memory the guest allocates; returns its pointer (0 for empty data). */
    int place(byte[] data) {
        if (data.length == 0) {
            return 0;
        }
        int ptr = allocate(data.length);
        memory.write(ptr, data, 0, data.length);
        return ptr;
    }

    /** Asks the guest's allocator for {@code size} bytes and checks the answer. */
    int allocate(long size) {
        if (size > Integer.MAX_VALUE) {
            throw new AbiError(GuestAbi.ERR_OTHER, "result of " + size + " bytes is too large for guest memory");
        }
        long ptr = alloc.apply(size)[0] & 0xFFFFFFFFL;
        if (ptr == 0) {
            throw new AbiError(GuestAbi.ERR_OTHER, "guest out of memory: edge_alloc(" + size + ") returned 0");
        }
        check(ptr, size);
        return (int) ptr;
    }

    /** Places {@code data} and stores the edge_buf_t {ptr, len} at {@code outPtr}. */
    void writeBuf(long outPtr, byte[] data) {
        check(outPtr, 8);
        int ptr = place(data);
        memory.writeI32((int) outPtr, ptr);
        memory.writeI32((int) outPtr + 4, data.length);
    }
}
