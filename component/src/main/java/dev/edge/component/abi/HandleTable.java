package dev.edge.component.abi;

import dev.edge.component.host.ComponentTrap;
import dev.edge.component.types.ResourceType;
import java.util.ArrayList;
import java.util.List;

/**
 * The handles of one component instance (CanonicalABI.md "Handle State"): index 0 is never valid, freed
 * slots are reused. A handle is {@code own} or {@code borrow}; an own handle that is lent to a call
 * cannot be dropped or moved until the call returns. Every misuse traps the instance.
 */
public final class HandleTable {

    /** One handle: the resource's representation (a host Java object, or a guest i32 rep). */
    public static final class Entry {
        final Object rep;
        final ResourceType type;
        final boolean own;
        int lendCount;
        CallScope borrowScope;

        Entry(Object rep, ResourceType type, boolean own) {
            this.rep = rep;
            this.type = type;
            this.own = own;
        }

        public Object rep() { return rep; }

        public boolean own() { return own; }
    }

    private final List<Entry> entries = new ArrayList<>(List.of(new Entry(null, null, false)));
    private final List<Integer> free = new ArrayList<>();

    int add(Entry entry) {
        if (!free.isEmpty()) {
            int index = free.remove(free.size() - 1);
            entries.set(index, entry);
            return index;
        }
        if (entries.size() >= (1 << 28)) {
            throw new ComponentTrap("too many handles");
        }
        entries.add(entry);
        return entries.size() - 1;
    }

    /** The live entry for {@code handle}, which must be of {@code type}. */
    Entry get(int handle, ResourceType type) {
        if (handle <= 0 || handle >= entries.size() || entries.get(handle) == null) {
            throw new ComponentTrap("unknown handle " + Integer.toUnsignedString(handle)
                    + (type == null ? "" : " for " + type.name()) + " (never created, or already dropped)");
        }
        Entry entry = entries.get(handle);
        if (type != null && entry.type != type) {
            throw new ComponentTrap("handle " + handle + " is a " + entry.type.name() + ", expected a " + type.name());
        }
        return entry;
    }

    Entry remove(int handle, ResourceType type) {
        Entry entry = get(handle, type);
        if (entry.own && entry.lendCount != 0) {
            throw new ComponentTrap("handle " + handle + " (" + type.name() + ") is still lent to a call");
        }
        entries.set(handle, null);
        free.add(handle);
        return entry;
    }

    /** Live handles, for tests and for closing host resources when the instance is discarded. */
    public int liveCount() {
        int n = 0;
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    /** Closes every host resource still owned by the instance (it is being discarded). */
    public void closeAll() {
        for (int i = 1; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            entries.set(i, null);
            if (entry != null && entry.own && !entry.type.defined() && entry.rep instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // the instance is gone; a failing close must not hide the request's outcome
                }
            }
        }
        free.clear();
        entries.subList(1, entries.size()).clear();
    }
}
