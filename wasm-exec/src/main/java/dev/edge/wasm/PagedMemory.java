package dev.edge.wasm;

import static com.dylibso.chicory.runtime.ConstantEvaluators.computeConstantValue;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Function;

/**
 * A non-shared linear memory without a delegate: it reads and writes like Chicory 1.7.5's {@code ByteBufferMemory}
 * (one little-endian heap buffer per 64 KiB page, a page beyond the size is null so an access there traps), and
 * its pages are reserved from a {@link MemoryBudget} before they are allocated. Every write, fill, copy, segment
 * init or grow marks its pages dirty: a memory nobody wrote is all zero (so {@link #zero} is free), and a subclass
 * can put back only what changed. One instance runs one call at a time; only {@link #release} may come from
 * another thread.
 */
public class PagedMemory implements BudgetedMemory {
    private static final int SHIFT = 16;
    private static final int MASK = PAGE_SIZE - 1;

    private final MemoryLimits limits;
    private final MemoryBudget budget;
    /** Bytes of {@link #budget} this memory holds: its pages, until {@link #release}. */
    private long reserved;
    protected final ByteBuffer[] pages;
    /** Pages written since they were last marked clean. */
    protected final boolean[] dirty;
    protected int nPages;
    private DataSegment[] dataSegments;

    /**
     * A memory whose pages are reserved from {@code budget} before they are allocated.
     *
     * @throws GuestMemoryExhausted if the budget cannot cover the initial pages
     */
    public PagedMemory(MemoryLimits limits, MemoryBudget budget) {
        if (limits.shared()) {
            throw new IllegalArgumentException("a paged memory is not shared");
        }
        long initial = (long) limits.initialPages() * PAGE_SIZE;
        if (!budget.tryReserve(initial)) {
            throw new GuestMemoryExhausted(budget, initial);
        }
        this.budget = budget;
        this.reserved = initial;
        this.limits = limits;
        int max = Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
        this.pages = new ByteBuffer[max];
        this.dirty = new boolean[max];
        for (int i = 0; i < limits.initialPages(); i++) {
            pages[i] = newPage();
        }
        this.nPages = limits.initialPages();
    }

    protected static ByteBuffer newPage() {
        return ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Pages written since they were last marked clean (for tests and measurements). */
    public int dirtyPages() {
        int n = 0;
        for (int p = 0; p < nPages; p++) {
            if (dirty[p]) {
                n++;
            }
        }
        return n;
    }

    private void touch(int from, int size) {
        if (size > 0) {
            Arrays.fill(dirty, from >>> SHIFT, ((from + size - 1) >>> SHIFT) + 1, true);
        }
    }

    // ------------------------------------------------------------------------------ size

    @Override
    public int pages() {
        return nPages;
    }

    @Override
    public int grow(int size) {
        int previous = nPages;
        int wanted = previous + size;
        if (wanted > maximumPages() || wanted < previous) {
            return -1;
        }
        long bytes = (long) size * PAGE_SIZE;
        synchronized (this) {
            if (!budget.tryReserve(bytes)) {
                return -1; // as past max_memory: the guest gets its memory error, the heap stays safe
            }
            reserved += bytes;
        }
        for (int p = previous; p < wanted; p++) {
            pages[p] = newPage();
        }
        nPages = wanted;
        return previous;
    }

    /** Bytes of the budget this memory holds. */
    public synchronized long reservedBytes() {
        return reserved;
    }

    @Override
    public void release() {
        giveBack(reserved);
    }

    /** Gives up to {@code bytes} of the reservation back to the budget. */
    protected synchronized void giveBack(long bytes) {
        long given = Math.min(bytes, reserved);
        reserved -= given;
        budget.release(given);
    }

    @Override
    public int initialPages() {
        return limits.initialPages();
    }

    @Override
    public int maximumPages() {
        return Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
    }

    @Override
    public boolean shared() {
        return false;
    }

    // ------------------------------------------------------------------------------ atomics (non-shared)

    @Override
    public Object lock(int address) {
        return new Object(); // nothing to lock on a memory only one thread uses
    }

    @Override
    public int waitOn(int address, int expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    public int waitOn(int address, long expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    public int notify(int address, int maxThreads) {
        return 0;
    }

    // ------------------------------------------------------------------------------ segments

    @Override
    public void initialize(Instance instance, DataSegment[] segments) {
        initialize(instance, segments, 0);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] segments, int memoryIndex) {
        this.dataSegments = segments;
        if (segments == null) {
            return;
        }
        for (DataSegment s : segments) {
            if (s instanceof ActiveDataSegment active) {
                if (active.index() != memoryIndex) {
                    continue;
                }
                byte[] data = active.data();
                int offset = (int) computeConstantValue(instance, active.offsetInstructions())[0];
                checkBounds(offset, data.length, sizeInBytes(), UninstantiableException::new);
                write(offset, data, 0, data.length);
            } else if (!(s instanceof PassiveDataSegment)) {
                throw new ChicoryException("Data segment should be active or passive: " + s);
            }
        }
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        write(dest, dataSegments[segmentId].data(), offset, size);
    }

    @Override
    public void drop(int segment) {
        dataSegments[segment] = PassiveDataSegment.EMPTY;
    }

    // ------------------------------------------------------------------------------ bulk

    private int sizeInBytes() {
        return PAGE_SIZE * nPages;
    }

    private static void checkBounds(int addr, int size, int limit, Function<String, ChicoryException> error) {
        if (addr < 0 || size < 0 || addr > limit || (size > 0 && addr + size > limit)) {
            throw error.apply("out of bounds memory access: attempted to access address: " + addr
                    + " but limit is: " + limit + " and size: " + size);
        }
    }

    private RuntimeException outOfBounds(RuntimeException e, int addr, int size) {
        if (e instanceof IndexOutOfBoundsException || e instanceof NullPointerException
                || e instanceof IllegalArgumentException) {
            return new WasmRuntimeException("out of bounds memory access: attempted to access address: " + addr
                    + " but limit is: " + sizeInBytes() + " and size: " + size);
        }
        return e;
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        checkBounds(offset, size, data.length, WasmRuntimeException::new);
        checkBounds(addr, size, sizeInBytes(), WasmRuntimeException::new);
        touch(addr, size);
        while (size > 0) {
            int at = addr & MASK;
            int chunk = Math.min(size, PAGE_SIZE - at);
            System.arraycopy(data, offset, pages[addr >>> SHIFT].array(), at, chunk);
            addr += chunk;
            offset += chunk;
            size -= chunk;
        }
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        checkBounds(addr, len, sizeInBytes(), WasmRuntimeException::new);
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            int at = addr & MASK;
            int chunk = Math.min(len - done, PAGE_SIZE - at);
            System.arraycopy(pages[addr >>> SHIFT].array(), at, out, done, chunk);
            addr += chunk;
            done += chunk;
        }
        return out;
    }

    @Override
    public void zero() {
        // Every write marks its page, so no dirty page means all zero (freshly allocated): Chicory zeroes every
        // new memory, which would cost as much as writing its data segments.
        if (dirtyPages() > 0) {
            fill((byte) 0, 0, sizeInBytes());
        }
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        int size = toIndex - fromIndex;
        checkBounds(fromIndex, size, sizeInBytes(), WasmRuntimeException::new);
        touch(fromIndex, size);
        while (size > 0) {
            int at = fromIndex & MASK;
            int chunk = Math.min(size, PAGE_SIZE - at);
            Arrays.fill(pages[fromIndex >>> SHIFT].array(), at, at + chunk, value);
            fromIndex += chunk;
            size -= chunk;
        }
    }

    @Override
    public void copy(int dest, int src, int size) {
        int limit = sizeInBytes();
        checkBounds(dest, size, limit, WasmRuntimeException::new);
        checkBounds(src, size, limit, WasmRuntimeException::new);
        touch(dest, size);
        if (dest > src && dest < src + size) {
            // overlapping, destination above: copy from the end so the source is read before it is overwritten
            int end = size;
            while (end > 0) {
                int s = src + end - 1;
                int d = dest + end - 1;
                int chunk = Math.min(end, Math.min((s & MASK) + 1, (d & MASK) + 1));
                System.arraycopy(pages[s >>> SHIFT].array(), (s & MASK) - chunk + 1,
                        pages[d >>> SHIFT].array(), (d & MASK) - chunk + 1, chunk);
                end -= chunk;
            }
        } else {
            int done = 0;
            while (done < size) {
                int s = src + done;
                int d = dest + done;
                int chunk = Math.min(size - done, PAGE_SIZE - Math.max(s & MASK, d & MASK));
                System.arraycopy(pages[s >>> SHIFT].array(), s & MASK, pages[d >>> SHIFT].array(), d & MASK, chunk);
                done += chunk;
            }
        }
    }

    // ------------------------------------------------------------------------------ loads

    @Override
    public byte read(int addr) {
        try {
            return pages[addr >>> SHIFT].get(addr & MASK);
        } catch (RuntimeException e) {
            throw outOfBounds(e, addr, 1);
        }
    }

    @Override
    public short readShort(int addr) {
        int at = addr & MASK;
        if (at + 2 <= PAGE_SIZE) {
            try {
                return pages[addr >>> SHIFT].getShort(at);
            } catch (RuntimeException e) {
                throw outOfBounds(e, addr, 2);
            }
        }
        return (short) ((read(addr) & 0xFF) | ((read(addr + 1) & 0xFF) << 8));
    }

    @Override
    public long readU16(int addr) {
        return readShort(addr) & 0xFFFFL;
    }

    @Override
    public int readInt(int addr) {
        int at = addr & MASK;
        if (at + 4 <= PAGE_SIZE) {
            try {
                return pages[addr >>> SHIFT].getInt(at);
            } catch (RuntimeException e) {
                throw outOfBounds(e, addr, 4);
            }
        }
        return (read(addr) & 0xFF) | ((read(addr + 1) & 0xFF) << 8) | ((read(addr + 2) & 0xFF) << 16)
                | ((read(addr + 3) & 0xFF) << 24);
    }

    @Override
    public long readLong(int addr) {
        int at = addr & MASK;
        if (at + 8 <= PAGE_SIZE) {
            try {
                return pages[addr >>> SHIFT].getLong(at);
            } catch (RuntimeException e) {
                throw outOfBounds(e, addr, 8);
            }
        }
        return (readInt(addr) & 0xFFFFFFFFL) | ((long) readInt(addr + 4) << 32);
    }

    @Override
    public long readF32(int addr) {
        return readInt(addr);
    }

    @Override
    public float readFloat(int addr) {
        return Float.intBitsToFloat(readInt(addr));
    }

    @Override
    public long readF64(int addr) {
        return readLong(addr);
    }

    @Override
    public double readDouble(int addr) {
        return Double.longBitsToDouble(readLong(addr));
    }

    // ------------------------------------------------------------------------------ stores

    @Override
    public void writeByte(int addr, byte data) {
        int page = addr >>> SHIFT;
        try {
            pages[page].put(addr & MASK, data);
        } catch (RuntimeException e) {
            throw outOfBounds(e, addr, 1);
        }
        dirty[page] = true;
    }

    @Override
    public void writeShort(int addr, short data) {
        int at = addr & MASK;
        if (at + 2 <= PAGE_SIZE) {
            int page = addr >>> SHIFT;
            try {
                pages[page].putShort(at, data);
            } catch (RuntimeException e) {
                throw outOfBounds(e, addr, 2);
            }
            dirty[page] = true;
        } else {
            checkBounds(addr, 2, sizeInBytes(), WasmRuntimeException::new);
            writeByte(addr, (byte) data);
            writeByte(addr + 1, (byte) (data >>> 8));
        }
    }

    @Override
    public void writeI32(int addr, int data) {
        int at = addr & MASK;
        if (at + 4 <= PAGE_SIZE) {
            int page = addr >>> SHIFT;
            try {
                pages[page].putInt(at, data);
            } catch (RuntimeException e) {
                throw outOfBounds(e, addr, 4);
            }
            dirty[page] = true;
        } else {
            writeI32Split(addr, data);
        }
    }

    private void writeI32Split(int addr, int data) {
        checkBounds(addr, 4, sizeInBytes(), WasmRuntimeException::new);
        for (int i = 0; i < 4; i++) {
            writeByte(addr + i, (byte) (data >>> (8 * i)));
        }
    }

    @Override
    public void writeLong(int addr, long data) {
        int at = addr & MASK;
        if (at + 8 <= PAGE_SIZE) {
            int page = addr >>> SHIFT;
            try {
                pages[page].putLong(at, data);
            } catch (RuntimeException e) {
                throw outOfBounds(e, addr, 8);
            }
            dirty[page] = true;
        } else {
            checkBounds(addr, 8, sizeInBytes(), WasmRuntimeException::new);
            for (int i = 0; i < 8; i++) {
                writeByte(addr + i, (byte) (data >>> (8 * i)));
            }
        }
    }

    @Override
    public void writeF32(int addr, float data) {
        writeI32(addr, Float.floatToRawIntBits(data));
    }

    @Override
    public void writeF64(int addr, double data) {
        writeLong(addr, Double.doubleToRawLongBits(data));
    }
}
