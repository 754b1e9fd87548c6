package dev.edge.component.runtime;

import static com.dylibso.chicory.runtime.ConstantEvaluators.computeConstantValue;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.edge.wasm.GuestMemoryExhausted;
import dev.edge.wasm.MemoryBudget;
import dev.edge.wasm.PagedMemory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link PagedMemory} that can go back to a snapshot cheaply: {@link #snapshot} keeps a copy of the pages;
 * {@link #reset} copies back only the dirty ones and drops the pages grown since, giving their bytes back to the
 * budget. Not thread-safe: one instance runs one call at a time.
 */
final class ResettableMemory extends PagedMemory {
    /**
     * Every instance's data segment array this memory was initialised with (Chicory hands the defining instance's
     * and each importing instance's own array, and {@code data.drop} empties an entry of it, through the memory or
     * the instance): all of them are put back on reset.
     */
    private final List<DataSegment[]> segmentArrays = new ArrayList<>();
    private final List<DataSegment[]> segmentImages = new ArrayList<>();

    private byte[][] image;
    private int imagePages;

    /** A memory outside any node budget (for tests and measurements). */
    ResettableMemory(MemoryLimits limits) {
        this(limits, new MemoryBudget("unbounded", Long.MAX_VALUE));
    }

    /**
     * A memory whose pages are reserved from {@code budget} before they are allocated.
     *
     * @throws GuestMemoryExhausted if the budget cannot cover the initial pages
     */
    ResettableMemory(MemoryLimits limits, MemoryBudget budget) {
        super(limits, budget);
    }

    // ------------------------------------------------------------------------------ snapshot and reset

    /**
     * Remembers the memory as it is now (its pages and its data segments' state) as what {@link #reset} returns
     * to. {@code shared}, if not null, is an image equal to this memory that another instance took: it is kept
     * instead of a copy. Returns the image kept.
     */
    byte[][] snapshot(byte[][] shared) {
        byte[][] kept = shared != null && sameAs(shared) ? shared : copyPages();
        image = kept;
        imagePages = nPages;
        segmentImages.clear();
        for (DataSegment[] segments : segmentArrays) {
            segmentImages.add(segments.clone());
        }
        Arrays.fill(dirty, 0, nPages, false);
        return kept;
    }

    private boolean sameAs(byte[][] other) {
        if (other.length != nPages) {
            return false;
        }
        for (int p = 0; p < nPages; p++) {
            if (!Arrays.equals(other[p], pages[p].array())) {
                return false;
            }
        }
        return true;
    }

    private byte[][] copyPages() {
        byte[][] copy = new byte[nPages][];
        for (int p = 0; p < nPages; p++) {
            copy[p] = pages[p].array().clone();
        }
        return copy;
    }

    /** Back to the last {@link #snapshot}: the dirty pages copied from it, pages grown since dropped. */
    void reset() {
        for (int p = 0; p < nPages; p++) {
            if (dirty[p]) {
                dirty[p] = false;
                if (p < imagePages) {
                    System.arraycopy(image[p], 0, pages[p].array(), 0, PAGE_SIZE);
                }
            }
            if (p >= imagePages) {
                pages[p] = null;
            }
        }
        giveBack((long) (nPages - imagePages) * PAGE_SIZE);
        nPages = imagePages;
        for (int i = 0; i < segmentImages.size(); i++) {
            DataSegment[] saved = segmentImages.get(i);
            System.arraycopy(saved, 0, segmentArrays.get(i), 0, saved.length);
        }
    }

    @Override
    public void initialize(Instance instance, DataSegment[] segments, int memoryIndex) {
        if (segments != null && segmentArrays.stream().noneMatch(a -> a == segments)) {
            segmentArrays.add(segments);
        }
        super.initialize(instance, segments, memoryIndex);
    }

    @Override
    public void zero() {
        if (image != null) {
            fill((byte) 0, 0, nPages * PAGE_SIZE); // after a snapshot, clean pages are not zero
        } else {
            super.zero();
        }
    }
}
