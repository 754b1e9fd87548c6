package dev.edge.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.nio.charset.Charset;

/**
 * A shared (threads) linear memory under a {@link MemoryBudget}: the budget is kept here, everything else is
 * delegated to Chicory's {@link ByteArrayMemory}, which implements the atomics and wait/notify a shared memory
 * needs. Non-shared memories are {@link PagedMemory}, which reads and writes without the extra call.
 */
final class SharedBudgetedMemory implements BudgetedMemory {
    private final Memory delegate;
    private final MemoryBudget budget;
    private long reserved;

    private SharedBudgetedMemory(Memory delegate, MemoryBudget budget, long reserved) {
        this.delegate = delegate;
        this.budget = budget;
        this.reserved = reserved;
    }

    /**
     * @throws GuestMemoryExhausted if the budget cannot cover the module's initial pages
     */
    static SharedBudgetedMemory allocate(MemoryLimits limits, MemoryBudget budget) {
        long initial = (long) limits.initialPages() * PAGE_SIZE;
        if (!budget.tryReserve(initial)) {
            throw new GuestMemoryExhausted(budget, initial);
        }
        try {
            return new SharedBudgetedMemory(new ByteArrayMemory(limits), budget, initial);
        } catch (RuntimeException | Error e) {
            budget.release(initial);
            throw e;
        }
    }

    @Override
    public int grow(int pages) {
        long bytes = (long) pages * PAGE_SIZE;
        synchronized (this) {
            if (!budget.tryReserve(bytes)) {
                return -1;
            }
            int previous = delegate.grow(pages);
            if (previous < 0) {
                budget.release(bytes); // past the instance's own cap
            } else {
                reserved += bytes;
            }
            return previous;
        }
    }

    @Override
    public synchronized void release() {
        budget.release(reserved);
        reserved = 0;
    }

    @Override
    public int pages() { return delegate.pages(); }

    @Override
    public int initialPages() { return delegate.initialPages(); }

    @Override
    public int maximumPages() { return delegate.maximumPages(); }

    @Override
    public boolean shared() { return delegate.shared(); }

    @Override
    public Object lock(int a0) { return delegate.lock(a0); }

    @Override
    public int waitOn(int a0, int a1, long a2) { return delegate.waitOn(a0, a1, a2); }

    @Override
    public int waitOn(int a0, long a1, long a2) { return delegate.waitOn(a0, a1, a2); }

    @Override
    public int notify(int a0, int a1) { return delegate.notify(a0, a1); }

    @Override
    public void atomicFence() { delegate.atomicFence(); }

    @Override
    public int atomicWait(int a0, int a1, long a2) { return delegate.atomicWait(a0, a1, a2); }

    @Override
    public int atomicWait(int a0, long a1, long a2) { return delegate.atomicWait(a0, a1, a2); }

    @Override
    public int atomicNotify(int a0, int a1) { return delegate.atomicNotify(a0, a1); }

    @Override
    public int atomicReadInt(int a0) { return delegate.atomicReadInt(a0); }

    @Override
    public long atomicReadLong(int a0) { return delegate.atomicReadLong(a0); }

    @Override
    public short atomicReadShort(int a0) { return delegate.atomicReadShort(a0); }

    @Override
    public byte atomicReadByte(int a0) { return delegate.atomicReadByte(a0); }

    @Override
    public void atomicWriteInt(int a0, int a1) { delegate.atomicWriteInt(a0, a1); }

    @Override
    public void atomicWriteLong(int a0, long a1) { delegate.atomicWriteLong(a0, a1); }

    @Override
    public void atomicWriteShort(int a0, short a1) { delegate.atomicWriteShort(a0, a1); }

    @Override
    public void atomicWriteByte(int a0, byte a1) { delegate.atomicWriteByte(a0, a1); }

    @Override
    public int atomicAddInt(int a0, int a1) { return delegate.atomicAddInt(a0, a1); }

    @Override
    public int atomicAndInt(int a0, int a1) { return delegate.atomicAndInt(a0, a1); }

    @Override
    public int atomicOrInt(int a0, int a1) { return delegate.atomicOrInt(a0, a1); }

    @Override
    public int atomicXorInt(int a0, int a1) { return delegate.atomicXorInt(a0, a1); }

    @Override
    public int atomicXchgInt(int a0, int a1) { return delegate.atomicXchgInt(a0, a1); }

    @Override
    public int atomicCmpxchgInt(int a0, int a1, int a2) { return delegate.atomicCmpxchgInt(a0, a1, a2); }

    @Override
    public long atomicAddLong(int a0, long a1) { return delegate.atomicAddLong(a0, a1); }

    @Override
    public long atomicAndLong(int a0, long a1) { return delegate.atomicAndLong(a0, a1); }

    @Override
    public long atomicOrLong(int a0, long a1) { return delegate.atomicOrLong(a0, a1); }

    @Override
    public long atomicXorLong(int a0, long a1) { return delegate.atomicXorLong(a0, a1); }

    @Override
    public long atomicXchgLong(int a0, long a1) { return delegate.atomicXchgLong(a0, a1); }

    @Override
    public long atomicCmpxchgLong(int a0, long a1, long a2) { return delegate.atomicCmpxchgLong(a0, a1, a2); }

    @Override
    public short atomicAddShort(int a0, short a1) { return delegate.atomicAddShort(a0, a1); }

    @Override
    public short atomicAndShort(int a0, short a1) { return delegate.atomicAndShort(a0, a1); }

    @Override
    public short atomicOrShort(int a0, short a1) { return delegate.atomicOrShort(a0, a1); }

    @Override
    public short atomicXorShort(int a0, short a1) { return delegate.atomicXorShort(a0, a1); }

    @Override
    public short atomicXchgShort(int a0, short a1) { return delegate.atomicXchgShort(a0, a1); }

    @Override
    public short atomicCmpxchgShort(int a0, short a1, short a2) { return delegate.atomicCmpxchgShort(a0, a1, a2); }

    @Override
    public byte atomicAddByte(int a0, byte a1) { return delegate.atomicAddByte(a0, a1); }

    @Override
    public byte atomicAndByte(int a0, byte a1) { return delegate.atomicAndByte(a0, a1); }

    @Override
    public byte atomicOrByte(int a0, byte a1) { return delegate.atomicOrByte(a0, a1); }

    @Override
    public byte atomicXorByte(int a0, byte a1) { return delegate.atomicXorByte(a0, a1); }

    @Override
    public byte atomicXchgByte(int a0, byte a1) { return delegate.atomicXchgByte(a0, a1); }

    @Override
    public byte atomicCmpxchgByte(int a0, byte a1, byte a2) { return delegate.atomicCmpxchgByte(a0, a1, a2); }

    @Override
    public void initialize(Instance a0, DataSegment[] a1) { delegate.initialize(a0, a1); }

    @Override
    public void initialize(Instance a0, DataSegment[] a1, int a2) { delegate.initialize(a0, a1, a2); }

    @Override
    public void initPassiveSegment(int a0, int a1, int a2, int a3) { delegate.initPassiveSegment(a0, a1, a2, a3); }

    @Override
    public void writeString(int a0, String a1, Charset a2) { delegate.writeString(a0, a1, a2); }

    @Override
    public void writeString(int a0, String a1) { delegate.writeString(a0, a1); }

    @Override
    public String readString(int a0, int a1) { return delegate.readString(a0, a1); }

    @Override
    public String readString(int a0, int a1, Charset a2) { return delegate.readString(a0, a1, a2); }

    @Override
    public void writeCString(int a0, String a1) { delegate.writeCString(a0, a1); }

    @Override
    public void writeCString(int a0, String a1, Charset a2) { delegate.writeCString(a0, a1, a2); }

    @Override
    public String readCString(int a0, Charset a1) { return delegate.readCString(a0, a1); }

    @Override
    public String readCString(int a0) { return delegate.readCString(a0); }

    @Override
    public void write(int a0, byte[] a1) { delegate.write(a0, a1); }

    @Override
    public void write(int a0, byte[] a1, int a2, int a3) { delegate.write(a0, a1, a2, a3); }

    @Override
    public byte read(int a0) { return delegate.read(a0); }

    @Override
    public byte[] readBytes(int a0, int a1) { return delegate.readBytes(a0, a1); }

    @Override
    public void writeI32(int a0, int a1) { delegate.writeI32(a0, a1); }

    @Override
    public int readInt(int a0) { return delegate.readInt(a0); }

    @Override
    public long readI32(int a0) { return delegate.readI32(a0); }

    @Override
    public long readU32(int a0) { return delegate.readU32(a0); }

    @Override
    public void writeLong(int a0, long a1) { delegate.writeLong(a0, a1); }

    @Override
    public long readLong(int a0) { return delegate.readLong(a0); }

    @Override
    public long readI64(int a0) { return delegate.readI64(a0); }

    @Override
    public void writeShort(int a0, short a1) { delegate.writeShort(a0, a1); }

    @Override
    public short readShort(int a0) { return delegate.readShort(a0); }

    @Override
    public long readI16(int a0) { return delegate.readI16(a0); }

    @Override
    public long readU16(int a0) { return delegate.readU16(a0); }

    @Override
    public void writeByte(int a0, byte a1) { delegate.writeByte(a0, a1); }

    @Override
    public long readU8(int a0) { return delegate.readU8(a0); }

    @Override
    public long readI8(int a0) { return delegate.readI8(a0); }

    @Override
    public void writeF32(int a0, float a1) { delegate.writeF32(a0, a1); }

    @Override
    public long readF32(int a0) { return delegate.readF32(a0); }

    @Override
    public float readFloat(int a0) { return delegate.readFloat(a0); }

    @Override
    public void writeF64(int a0, double a1) { delegate.writeF64(a0, a1); }

    @Override
    public double readDouble(int a0) { return delegate.readDouble(a0); }

    @Override
    public long readF64(int a0) { return delegate.readF64(a0); }

    @Override
    public void zero() { delegate.zero(); }

    @Override
    public void fill(byte a0, int a1, int a2) { delegate.fill(a0, a1, a2); }

    @Override
    public void copy(int a0, int a1, int a2) { delegate.copy(a0, a1, a2); }

    @Override
    public void drop(int a0) { delegate.drop(a0); }

}
