package dev.edge.component.abi;

import com.dylibso.chicory.runtime.Memory;
import dev.edge.component.host.ComponentTrap;
import dev.edge.component.types.ValType;
import dev.edge.component.types.ValType.BorrowType;
import dev.edge.component.types.ValType.EnumType;
import dev.edge.component.types.ValType.FlagsType;
import dev.edge.component.types.ValType.ListType;
import dev.edge.component.types.ValType.OptionType;
import dev.edge.component.types.ValType.OwnType;
import dev.edge.component.types.ValType.Prim;
import dev.edge.component.types.ValType.RecordType;
import dev.edge.component.types.ValType.ResultType;
import dev.edge.component.types.ValType.TupleType;
import dev.edge.component.types.ValType.VariantType;
import dev.edge.component.types.ResourceType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The canonical ABI (CanonicalABI.md) for one call: lifting core values and linear memory into the value
 * model documented on {@link Variant}, and lowering values back, with the spec's sizes, alignments and
 * flattening. Strings are UTF-8. Every violation (out-of-bounds or misaligned pointer, invalid UTF-8,
 * bad discriminant or char, unknown or foreign handle, a host value of the wrong Java type) throws
 * {@link ComponentTrap}.
 */
public final class CanonicalAbi {
    public static final int MAX_FLAT_PARAMS = 16;
    public static final int MAX_FLAT_RESULTS = 1;

    /** {@code cabi_realloc(old_ptr, old_size, align, new_size) -> ptr}. */
    @FunctionalInterface
    public interface Realloc {
        int realloc(int oldPtr, int oldSize, int align, int newSize);
    }

    private final Memory memory;
    private final Realloc realloc;
    private final HandleTable handles;
    private final CallScope scope;

    /** {@code memory} and {@code realloc} may be null when the function's types do not need them. */
    public CanonicalAbi(Memory memory, Realloc realloc, HandleTable handles, CallScope scope) {
        this.memory = memory;
        this.realloc = realloc;
        this.handles = handles;
        this.scope = scope;
    }

    // ---------------------------------------------------------------- sizes, alignment, flattening

    public static int alignment(ValType t) {
        if (t instanceof Prim p) {
            return switch (p) {
                case BOOL, S8, U8 -> 1;
                case S16, U16 -> 2;
                case S32, U32, F32, CHAR, STRING -> 4;
                case S64, U64, F64 -> 8;
            };
        }
        if (t instanceof ListType) {
            return 4;
        }
        if (t instanceof RecordType r) {
            return maxAlignment(r.fields());
        }
        if (t instanceof TupleType tu) {
            return maxAlignment(tu.elements());
        }
        if (t instanceof FlagsType f) {
            return flagsSize(f);
        }
        if (t instanceof OwnType || t instanceof BorrowType) {
            return 4;
        }
        List<ValType> cases = cases(t);
        return Math.max(discriminantSize(cases.size()), maxAlignment(cases));
    }

    public static int size(ValType t) {
        if (t instanceof Prim p) {
            return p == Prim.STRING ? 8 : alignment(p);
        }
        if (t instanceof ListType) {
            return 8;
        }
        if (t instanceof RecordType r) {
            return structSize(r.fields());
        }
        if (t instanceof TupleType tu) {
            return structSize(tu.elements());
        }
        if (t instanceof FlagsType f) {
            return flagsSize(f);
        }
        if (t instanceof OwnType || t instanceof BorrowType) {
            return 4;
        }
        List<ValType> cases = cases(t);
        int s = discriminantSize(cases.size());
        s = alignTo(s, maxAlignment(cases));
        int maxCase = 0;
        for (ValType c : cases) {
            if (c != null) {
                maxCase = Math.max(maxCase, size(c));
            }
        }
        return alignTo(s + maxCase, alignment(t));
    }

    public static List<Flat> flatten(ValType t) {
        List<Flat> out = new ArrayList<>();
        flatten(t, out);
        return out;
    }

    /** The flat types of a list of types (a parameter list), concatenated. */
    public static List<Flat> flattenAll(List<ValType> types) {
        List<Flat> out = new ArrayList<>();
        for (ValType t : types) {
            flatten(t, out);
        }
        return out;
    }

    private static void flatten(ValType t, List<Flat> out) {
        if (t instanceof Prim p) {
            switch (p) {
                case S64, U64 -> out.add(Flat.I64);
                case F32 -> out.add(Flat.F32);
                case F64 -> out.add(Flat.F64);
                case STRING -> {
                    out.add(Flat.I32);
                    out.add(Flat.I32);
                }
                default -> out.add(Flat.I32);
            }
        } else if (t instanceof ListType) {
            out.add(Flat.I32);
            out.add(Flat.I32);
        } else if (t instanceof RecordType r) {
            r.fields().forEach(f -> flatten(f, out));
        } else if (t instanceof TupleType tu) {
            tu.elements().forEach(e -> flatten(e, out));
        } else if (t instanceof FlagsType || t instanceof OwnType || t instanceof BorrowType || t instanceof EnumType) {
            out.add(Flat.I32);
        } else {
            out.add(Flat.I32);
            out.addAll(variantPayload(cases(t)));
        }
    }

    private static List<Flat> variantPayload(List<ValType> cases) {
        List<Flat> joined = new ArrayList<>();
        for (ValType c : cases) {
            if (c == null) {
                continue;
            }
            List<Flat> flat = flatten(c);
            for (int i = 0; i < flat.size(); i++) {
                if (i < joined.size()) {
                    joined.set(i, Flat.join(joined.get(i), flat.get(i)));
                } else {
                    joined.add(flat.get(i));
                }
            }
        }
        return joined;
    }

    /** The cases of a variant-like type (variant, enum, option, result), payload null when absent. */
    static List<ValType> cases(ValType t) {
        if (t instanceof VariantType v) {
            return v.cases();
        }
        if (t instanceof EnumType e) {
            return Arrays.asList(new ValType[e.names().size()]);
        }
        if (t instanceof OptionType o) {
            return Arrays.asList(null, o.value());
        }
        if (t instanceof ResultType r) {
            return Arrays.asList(r.ok(), r.err());
        }
        throw new IllegalArgumentException("not a variant type: " + t);
    }

    private static int discriminantSize(int cases) {
        return cases <= 256 ? 1 : cases <= 65536 ? 2 : 4;
    }

    private static int flagsSize(FlagsType f) {
        int n = f.names().size();
        return n <= 8 ? 1 : n <= 16 ? 2 : 4;
    }

    private static int maxAlignment(List<ValType> types) {
        int a = 1;
        for (ValType t : types) {
            if (t != null) {
                a = Math.max(a, alignment(t));
            }
        }
        return a;
    }

    private static int structSize(List<ValType> fields) {
        int s = 0;
        for (ValType f : fields) {
            s = alignTo(s, alignment(f));
            s += size(f);
        }
        return alignTo(s, maxAlignment(fields));
    }

    static int alignTo(int offset, int align) {
        return (offset + align - 1) / align * align;
    }

    // ---------------------------------------------------------------- flat lifting

    /** Reads core values in order, coercing from a variant's joined types where needed. */
    public static final class FlatReader {
        private final long[] values;
        private int next;

        public FlatReader(long[] values) {
            this.values = values;
        }

        long take() {
            if (next >= values.length) {
                throw new ComponentTrap("too few core values for the function's type");
            }
            return values[next++];
        }
    }

    public Object liftFlat(ValType t, FlatReader in) {
        if (t instanceof Prim p) {
            return switch (p) {
                case BOOL -> (int) in.take() != 0;
                case S8 -> (int) (byte) in.take();
                case U8 -> (int) in.take() & 0xff;
                case S16 -> (int) (short) in.take();
                case U16 -> (int) in.take() & 0xffff;
                case S32, U32 -> (int) in.take();
                case S64, U64 -> in.take();
                case F32 -> Float.intBitsToFloat((int) in.take());
                case F64 -> Double.longBitsToDouble(in.take());
                case CHAR -> checkChar((int) in.take());
                case STRING -> loadString((int) in.take(), (int) in.take());
            };
        }
        if (t instanceof ListType l) {
            return loadList(l, (int) in.take(), (int) in.take());
        }
        if (t instanceof RecordType r) {
            return liftFlatAll(r.fields(), in);
        }
        if (t instanceof TupleType tu) {
            return liftFlatAll(tu.elements(), in);
        }
        if (t instanceof FlagsType f) {
            return (int) in.take() & flagsMask(f);
        }
        if (t instanceof OwnType o) {
            return liftOwn(o.resource(), (int) in.take());
        }
        if (t instanceof BorrowType b) {
            return liftBorrow(b.resource(), (int) in.take());
        }
        List<ValType> cases = cases(t);
        List<Flat> joined = variantPayload(cases);
        int disc = (int) in.take();
        ValType payloadType = caseType(t, cases, disc);
        Object payload = null;
        int used = 0;
        if (payloadType != null) {
            List<Flat> have = flatten(payloadType);
            long[] coerced = new long[have.size()];
            for (int i = 0; i < have.size(); i++) {
                coerced[i] = coerceFromJoined(in.take(), joined.get(i), have.get(i));
            }
            used = have.size();
            payload = liftFlat(payloadType, new FlatReader(coerced));
        }
        for (int i = used; i < joined.size(); i++) {
            in.take();
        }
        return t instanceof EnumType ? (Object) disc : new Variant(disc, payload);
    }

    private Object[] liftFlatAll(List<ValType> types, FlatReader in) {
        Object[] out = new Object[types.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = liftFlat(types.get(i), in);
        }
        return out;
    }

    private static long coerceFromJoined(long value, Flat joined, Flat want) {
        if (joined == want) {
            return value;
        }
        return switch (want) {
            case I32 -> (int) value;
            case F32 -> (int) value; // the i32 bits of the float, interpreted when lifted as F32
            case I64, F64 -> value;
        };
    }

    private static ValType caseType(ValType t, List<ValType> cases, int disc) {
        if (disc < 0 || disc >= cases.size()) {
            throw new ComponentTrap("invalid discriminant " + Integer.toUnsignedString(disc) + " for " + describe(t)
                    + " with " + cases.size() + " cases");
        }
        return cases.get(disc);
    }

    private static int flagsMask(FlagsType f) {
        int n = f.names().size();
        return n == 32 ? -1 : (1 << n) - 1;
    }

    private static int checkChar(int c) {
        if (Integer.compareUnsigned(c, 0x110000) >= 0 || (c >= 0xD800 && c <= 0xDFFF)) {
            throw new ComponentTrap("invalid char 0x" + Integer.toHexString(c) + " (not a Unicode scalar value)");
        }
        return c;
    }

    private Object liftOwn(ResourceType type, int handle) {
        HandleTable.Entry entry = handles.get(handle, type);
        if (!entry.own) {
            throw new ComponentTrap("handle " + handle + " is a borrow, an own<" + type.name() + "> was expected");
        }
        return handles.remove(handle, type).rep;
    }

    private Object liftBorrow(ResourceType type, int handle) {
        HandleTable.Entry entry = handles.get(handle, type);
        if (entry.own) {
            scope.lend(entry);
        }
        return entry.rep;
    }

    // ---------------------------------------------------------------- flat lowering

    /** Appends core values; {@link #flatten} gives their types. */
    public void lowerFlat(ValType t, Object v, List<Long> out) {
        if (t instanceof Prim p) {
            switch (p) {
                case BOOL -> out.add(as(Boolean.class, v, t) ? 1L : 0L);
                case S8, U8, S16, U16, S32, U32 -> out.add((long) narrow(p, as(Integer.class, v, t)));
                case S64, U64 -> out.add(as(Long.class, v, t));
                case F32 -> out.add((long) Float.floatToRawIntBits(as(Float.class, v, t)));
                case F64 -> out.add(Double.doubleToRawLongBits(as(Double.class, v, t)));
                case CHAR -> out.add((long) checkChar(as(Integer.class, v, t)));
                case STRING -> {
                    int[] ptrLen = storeString(as(String.class, v, t));
                    out.add((long) ptrLen[0]);
                    out.add((long) ptrLen[1]);
                }
            }
        } else if (t instanceof ListType l) {
            int[] ptrLen = storeList(l, v);
            out.add((long) ptrLen[0]);
            out.add((long) ptrLen[1]);
        } else if (t instanceof RecordType r) {
            lowerFlatAll(r.fields(), fields(v, t, r.fields().size()), out);
        } else if (t instanceof TupleType tu) {
            lowerFlatAll(tu.elements(), fields(v, t, tu.elements().size()), out);
        } else if (t instanceof FlagsType f) {
            out.add((long) (as(Integer.class, v, t) & flagsMask(f)));
        } else if (t instanceof OwnType o) {
            out.add((long) lowerOwn(o.resource(), v));
        } else if (t instanceof BorrowType b) {
            out.add((long) lowerBorrow(b.resource(), v));
        } else {
            List<ValType> cases = cases(t);
            List<Flat> joined = variantPayload(cases);
            int disc = t instanceof EnumType ? as(Integer.class, v, t) : as(Variant.class, v, t).index();
            ValType payloadType = caseType(t, cases, disc);
            out.add((long) disc);
            int start = out.size();
            if (payloadType != null) {
                lowerFlat(payloadType, ((Variant) v).payload(), out);
                List<Flat> have = flatten(payloadType);
                for (int i = 0; i < have.size(); i++) {
                    out.set(start + i, coerceToJoined(out.get(start + i), have.get(i), joined.get(i)));
                }
            }
            while (out.size() < start + joined.size()) {
                out.add(0L);
            }
        }
    }

    private void lowerFlatAll(List<ValType> types, Object[] values, List<Long> out) {
        for (int i = 0; i < values.length; i++) {
            lowerFlat(types.get(i), values[i], out);
        }
    }

    private static long coerceToJoined(long value, Flat have, Flat joined) {
        if (have == joined) {
            return value;
        }
        // i32 and f32 bits widen to i64 unsigned; f64 bits are already 64-bit
        return have == Flat.I32 || have == Flat.F32 ? value & 0xffffffffL : value;
    }

    private static int narrow(Prim p, int v) {
        return switch (p) {
            case U8 -> v & 0xff;
            case S8 -> (byte) v;
            case U16 -> v & 0xffff;
            case S16 -> (short) v;
            default -> v;
        };
    }

    private int lowerOwn(ResourceType type, Object rep) {
        if (rep == null) {
            throw new ComponentTrap("null for own<" + type.name() + ">");
        }
        return handles.add(new HandleTable.Entry(rep, type, true));
    }

    private int lowerBorrow(ResourceType type, Object rep) {
        if (rep == null) {
            throw new ComponentTrap("null for borrow<" + type.name() + ">");
        }
        HandleTable.Entry entry = new HandleTable.Entry(rep, type, false);
        entry.borrowScope = scope;
        scope.borrowsOut++;
        return handles.add(entry);
    }

    // ---------------------------------------------------------------- memory

    private Memory memory() {
        if (memory == null) {
            throw new ComponentTrap("the canonical options name no memory, but the type needs one");
        }
        return memory;
    }

    /** Traps unless [ptr, ptr+length) lies in memory and ptr is aligned. */
    public void checkRange(int ptr, long length, int align) {
        long start = Integer.toUnsignedLong(ptr);
        if (start % align != 0) {
            throw new ComponentTrap("misaligned pointer " + start + " (alignment " + align + ")");
        }
        long size = (long) memory().pages() * Memory.PAGE_SIZE;
        if (start + length > size) {
            throw new ComponentTrap("pointer " + start + " + " + length + " bytes is out of bounds (memory is "
                    + size + " bytes)");
        }
    }

    public Object load(ValType t, int ptr) {
        checkRange(ptr, size(t), alignment(t));
        Memory m = memory;
        if (t instanceof Prim p) {
            return switch (p) {
                case BOOL -> m.read(ptr) != 0;
                case S8 -> (int) m.read(ptr);
                case U8 -> m.read(ptr) & 0xff;
                case S16 -> (int) m.readShort(ptr);
                case U16 -> m.readShort(ptr) & 0xffff;
                case S32, U32 -> m.readInt(ptr);
                case S64, U64 -> m.readLong(ptr);
                case F32 -> m.readFloat(ptr);
                case F64 -> m.readDouble(ptr);
                case CHAR -> checkChar(m.readInt(ptr));
                case STRING -> loadString(m.readInt(ptr), m.readInt(ptr + 4));
            };
        }
        if (t instanceof ListType l) {
            return loadList(l, m.readInt(ptr), m.readInt(ptr + 4));
        }
        if (t instanceof RecordType r) {
            return loadAll(r.fields(), ptr);
        }
        if (t instanceof TupleType tu) {
            return loadAll(tu.elements(), ptr);
        }
        if (t instanceof FlagsType f) {
            int raw = switch (flagsSize(f)) {
                case 1 -> m.read(ptr) & 0xff;
                case 2 -> m.readShort(ptr) & 0xffff;
                default -> m.readInt(ptr);
            };
            return raw & flagsMask(f);
        }
        if (t instanceof OwnType o) {
            return liftOwn(o.resource(), m.readInt(ptr));
        }
        if (t instanceof BorrowType b) {
            return liftBorrow(b.resource(), m.readInt(ptr));
        }
        List<ValType> cases = cases(t);
        int discSize = discriminantSize(cases.size());
        int disc = switch (discSize) {
            case 1 -> m.read(ptr) & 0xff;
            case 2 -> m.readShort(ptr) & 0xffff;
            default -> m.readInt(ptr);
        };
        ValType payloadType = caseType(t, cases, disc);
        if (t instanceof EnumType) {
            return disc;
        }
        Object payload = payloadType == null ? null
                : load(payloadType, ptr + alignTo(discSize, maxAlignment(cases)));
        return new Variant(disc, payload);
    }

    private Object[] loadAll(List<ValType> fields, int ptr) {
        Object[] out = new Object[fields.size()];
        int offset = 0;
        for (int i = 0; i < out.length; i++) {
            offset = alignTo(offset, alignment(fields.get(i)));
            out[i] = load(fields.get(i), ptr + offset);
            offset += size(fields.get(i));
        }
        return out;
    }

    String loadString(int ptr, int length) {
        checkRange(ptr, Integer.toUnsignedLong(length), 1);
        byte[] bytes = memory.readBytes(ptr, length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ComponentTrap("string at " + Integer.toUnsignedString(ptr) + " is not valid UTF-8");
        }
    }

    private Object loadList(ListType t, int ptr, int length) {
        ValType element = t.element();
        int elemSize = size(element);
        checkRange(ptr, Integer.toUnsignedLong(length) * elemSize, alignment(element));
        if (element == Prim.U8 || element == Prim.S8) {
            return memory.readBytes(ptr, length);
        }
        List<Object> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            out.add(load(element, ptr + i * elemSize));
        }
        return out;
    }

    public void store(ValType t, Object v, int ptr) {
        checkRange(ptr, size(t), alignment(t));
        Memory m = memory;
        if (t instanceof Prim p) {
            switch (p) {
                case BOOL -> m.writeByte(ptr, (byte) (as(Boolean.class, v, t) ? 1 : 0));
                case S8, U8 -> m.writeByte(ptr, (byte) (int) as(Integer.class, v, t));
                case S16, U16 -> m.writeShort(ptr, (short) (int) as(Integer.class, v, t));
                case S32, U32 -> m.writeI32(ptr, as(Integer.class, v, t));
                case S64, U64 -> m.writeLong(ptr, as(Long.class, v, t));
                case F32 -> m.writeF32(ptr, as(Float.class, v, t));
                case F64 -> m.writeF64(ptr, as(Double.class, v, t));
                case CHAR -> m.writeI32(ptr, checkChar(as(Integer.class, v, t)));
                case STRING -> {
                    int[] ptrLen = storeString(as(String.class, v, t));
                    m.writeI32(ptr, ptrLen[0]);
                    m.writeI32(ptr + 4, ptrLen[1]);
                }
            }
        } else if (t instanceof ListType l) {
            int[] ptrLen = storeList(l, v);
            m.writeI32(ptr, ptrLen[0]);
            m.writeI32(ptr + 4, ptrLen[1]);
        } else if (t instanceof RecordType r) {
            storeAll(r.fields(), fields(v, t, r.fields().size()), ptr);
        } else if (t instanceof TupleType tu) {
            storeAll(tu.elements(), fields(v, t, tu.elements().size()), ptr);
        } else if (t instanceof FlagsType f) {
            int bits = as(Integer.class, v, t) & flagsMask(f);
            switch (flagsSize(f)) {
                case 1 -> m.writeByte(ptr, (byte) bits);
                case 2 -> m.writeShort(ptr, (short) bits);
                default -> m.writeI32(ptr, bits);
            }
        } else if (t instanceof OwnType o) {
            m.writeI32(ptr, lowerOwn(o.resource(), v));
        } else if (t instanceof BorrowType b) {
            m.writeI32(ptr, lowerBorrow(b.resource(), v));
        } else {
            List<ValType> cases = cases(t);
            int disc = t instanceof EnumType ? as(Integer.class, v, t) : as(Variant.class, v, t).index();
            ValType payloadType = caseType(t, cases, disc);
            int discSize = discriminantSize(cases.size());
            switch (discSize) {
                case 1 -> m.writeByte(ptr, (byte) disc);
                case 2 -> m.writeShort(ptr, (short) disc);
                default -> m.writeI32(ptr, disc);
            }
            if (payloadType != null) {
                store(payloadType, ((Variant) v).payload(), ptr + alignTo(discSize, maxAlignment(cases)));
            }
        }
    }

    private void storeAll(List<ValType> fields, Object[] values, int ptr) {
        int offset = 0;
        for (int i = 0; i < values.length; i++) {
            offset = alignTo(offset, alignment(fields.get(i)));
            store(fields.get(i), values[i], ptr + offset);
            offset += size(fields.get(i));
        }
    }

    /** Allocates in guest memory through realloc and checks what it returned. */
    public int allocate(int align, long size) {
        if (size > Integer.MAX_VALUE) {
            throw new ComponentTrap("allocation of " + size + " bytes is too large");
        }
        if (realloc == null) {
            throw new ComponentTrap("the canonical options name no realloc, but the value needs guest memory");
        }
        int ptr = realloc.realloc(0, 0, align, (int) size);
        checkRange(ptr, size, align);
        return ptr;
    }

    private int[] storeString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int ptr = allocate(1, bytes.length);
        memory.write(ptr, bytes);
        return new int[] {ptr, bytes.length};
    }

    private int[] storeList(ListType t, Object v) {
        ValType element = t.element();
        if ((element == Prim.U8 || element == Prim.S8) && v instanceof byte[] bytes) {
            int ptr = allocate(1, bytes.length);
            memory.write(ptr, bytes);
            return new int[] {ptr, bytes.length};
        }
        List<?> list = as(List.class, v, t);
        int elemSize = size(element);
        int ptr = allocate(alignment(element), (long) list.size() * elemSize);
        for (int i = 0; i < list.size(); i++) {
            store(element, list.get(i), ptr + i * elemSize);
        }
        return new int[] {ptr, list.size()};
    }

    // ---------------------------------------------------------------- host values

    private static Object[] fields(Object v, ValType t, int count) {
        Object[] values = as(Object[].class, v, t);
        if (values.length != count) {
            throw new ComponentTrap("host value for " + describe(t) + " has " + values.length + " fields, expected " + count);
        }
        return values;
    }

    private static <T> T as(Class<T> type, Object v, ValType t) {
        if (!type.isInstance(v)) {
            throw new ComponentTrap("host value " + (v == null ? "null" : v.getClass().getSimpleName()) + " for "
                    + describe(t) + " (expected " + type.getSimpleName() + ")");
        }
        return type.cast(v);
    }

    static String describe(ValType t) {
        if (t instanceof Prim p) {
            return p.name().toLowerCase(java.util.Locale.ROOT);
        }
        return t.getClass().getSimpleName().replace("Type", "").toLowerCase(java.util.Locale.ROOT);
    }

    /** A guest's {@code resource.new}: a new own handle for the i32 representation. */
    public static int resourceNew(HandleTable handles, ResourceType type, int rep) {
        return handles.add(new HandleTable.Entry(rep, type, true));
    }

    /** A guest's {@code resource.rep}. */
    public static int resourceRep(HandleTable handles, ResourceType type, int handle) {
        if (!type.defined()) {
            throw new ComponentTrap("resource.rep of imported resource " + type.name());
        }
        return (Integer) handles.get(handle, type).rep;
    }

    /**
     * A guest's {@code resource.drop}: removes the handle; for an own handle returns the representation
     * so the caller can run the destructor (closing a host resource is done here).
     */
    public static Object resourceDrop(HandleTable handles, ResourceType type, int handle) {
        HandleTable.Entry entry = handles.remove(handle, type);
        if (!entry.own) {
            if (entry.borrowScope != null) {
                entry.borrowScope.borrowsOut--;
            }
            return null;
        }
        if (!type.defined() && entry.rep instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new ComponentTrap("closing " + type.name() + " failed: " + e.getMessage(), e);
            }
        }
        return entry.rep;
    }
}
