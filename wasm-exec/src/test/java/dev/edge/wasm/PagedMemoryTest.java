package dev.edge.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PagedMemory against Chicory's ByteBufferMemory, and its budget. */
class PagedMemoryTest {
    private static final int PAGE = Memory.PAGE_SIZE;

    private static MemoryBudget unbounded() {
        return new MemoryBudget("unbounded", Long.MAX_VALUE);
    }

    /** The same random writes (many across page boundaries), fills, copies and grows leave the same bytes. */
    @Test
    void readsAndWritesLikeByteBufferMemory() {
        Random random = new Random(42);
        MemoryLimits limits = new MemoryLimits(2, 6);
        PagedMemory ours = new PagedMemory(limits, unbounded());
        ByteBufferMemory theirs = new ByteBufferMemory(limits);
        for (int i = 0; i < 20_000; i++) {
            int size = ours.pages() * PAGE;
            int addr = random.nextBoolean() ? random.nextInt(size - 8)
                    : (1 + random.nextInt(ours.pages() - 1)) * PAGE - random.nextInt(8); // around a page edge
            long value = random.nextLong();
            switch (random.nextInt(9)) {
                case 0 -> { ours.writeByte(addr, (byte) value); theirs.writeByte(addr, (byte) value); }
                case 1 -> { ours.writeShort(addr, (short) value); theirs.writeShort(addr, (short) value); }
                case 2 -> { ours.writeI32(addr, (int) value); theirs.writeI32(addr, (int) value); }
                case 3 -> { ours.writeLong(addr, value); theirs.writeLong(addr, value); }
                case 4 -> { ours.writeF64(addr, Double.longBitsToDouble(value)); theirs.writeF64(addr, Double.longBitsToDouble(value)); }
                case 5 -> {
                    byte[] data = new byte[random.nextInt(Math.min(3 * PAGE, size - addr))];
                    random.nextBytes(data);
                    ours.write(addr, data, 0, data.length);
                    theirs.write(addr, data, 0, data.length);
                }
                case 6 -> {
                    int to = addr + random.nextInt(Math.min(2 * PAGE, size - addr));
                    ours.fill((byte) value, addr, to);
                    theirs.fill((byte) value, addr, to);
                }
                case 7 -> {
                    int src = random.nextInt(size);
                    int dest = random.nextBoolean() ? random.nextInt(size) : Math.max(0, Math.min(size - 1, src + random.nextInt(64) - 32));
                    int len = random.nextInt(Math.min(size - Math.max(src, dest), 2 * PAGE) + 1);
                    ours.copy(dest, src, len);
                    theirs.copy(dest, src, len);
                }
                default -> {
                    if (random.nextInt(500) == 0) {
                        assertEquals(theirs.grow(1), ours.grow(1));
                    }
                    assertEquals(theirs.readLong(addr), ours.readLong(addr));
                    assertEquals(theirs.readInt(addr), ours.readInt(addr));
                    assertEquals(theirs.readU16(addr), ours.readU16(addr));
                    assertEquals(theirs.readF32(addr), ours.readF32(addr));
                }
            }
        }
        assertEquals(theirs.pages(), ours.pages());
        assertArrayEquals(theirs.readBytes(0, theirs.pages() * PAGE), ours.readBytes(0, ours.pages() * PAGE));
    }

    @Test
    void outOfBoundsTrapsLikeByteBufferMemory() {
        PagedMemory memory = new PagedMemory(new MemoryLimits(1, 2), unbounded());
        assertThrows(WasmRuntimeException.class, () -> memory.readInt(PAGE));
        assertThrows(WasmRuntimeException.class, () -> memory.writeI32(PAGE - 2, 1));
        assertThrows(WasmRuntimeException.class, () -> memory.writeLong(-1, 1));
        assertThrows(WasmRuntimeException.class, () -> memory.write(PAGE - 1, new byte[2], 0, 2));
        assertThrows(WasmRuntimeException.class, () -> memory.copy(0, PAGE - 1, 2));
        assertEquals(1, memory.grow(1));
        assertEquals(-1, memory.grow(1), "past the maximum");
        memory.writeI32(PAGE, 7);
        assertEquals(7, memory.readInt(PAGE));
    }

    @Test
    void itsPagesComeFromTheBudgetAndGoBackOnce() {
        MemoryBudget budget = new MemoryBudget("guests", 3L * PAGE);
        assertThrows(GuestMemoryExhausted.class, () -> BudgetedMemory.allocate(new MemoryLimits(4, 8), budget),
                "initial pages the budget cannot cover");
        assertEquals(0, budget.used());

        BudgetedMemory memory = BudgetedMemory.allocate(new MemoryLimits(2, 8), budget);
        assertEquals(PagedMemory.class, memory.getClass(), "a non-shared memory is paged, not delegated");
        assertEquals(2, memory.grow(1));
        assertEquals(-1, memory.grow(1), "past the budget: the guest's memory error");
        assertEquals(3, memory.pages());
        assertEquals(3L * PAGE, budget.used());

        memory.release();
        memory.release();
        assertEquals(0, budget.used(), "released once");
    }
}
