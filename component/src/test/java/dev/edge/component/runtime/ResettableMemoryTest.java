package dev.edge.component.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import org.junit.jupiter.api.Test;

/** ResettableMemory's snapshot and reset (its reads and writes: PagedMemoryTest in wasm-exec). */
class ResettableMemoryTest {
    private static final int PAGE = Memory.PAGE_SIZE;

    @Test
    void resetCopiesBackTheWrittenPagesAndDropsTheGrownOnes() {
        ResettableMemory memory = new ResettableMemory(new MemoryLimits(3, 8));
        memory.writeI32(PAGE + 10, 5);
        byte[] before = memory.readBytes(0, 3 * PAGE);
        memory.snapshot(null);

        memory.writeI32(PAGE - 2, -1); // across pages 0 and 1
        memory.fill((byte) 9, 2 * PAGE + 1, 2 * PAGE + 100);
        assertEquals(3, memory.grow(2));
        memory.writeByte(4 * PAGE + 3, (byte) 1);
        assertEquals(4, memory.dirtyPages(), "pages 0, 1 and 2, and the grown page 4");

        memory.reset();
        assertEquals(0, memory.dirtyPages());
        assertEquals(3, memory.pages());
        assertArrayEquals(before, memory.readBytes(0, 3 * PAGE));
        assertThrows(WasmRuntimeException.class, () -> memory.read(3 * PAGE), "the grown pages are gone");
        assertEquals(3, memory.grow(2));
        assertEquals(0, memory.read(4 * PAGE + 3), "a page grown again is zero");
    }
}
