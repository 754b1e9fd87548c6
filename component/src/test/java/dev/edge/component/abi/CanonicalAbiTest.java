package dev.edge.component.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.edge.component.host.ComponentTrap;
import dev.edge.component.types.ResourceType;
import dev.edge.component.types.ValType;
import dev.edge.component.types.ValType.Prim;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The canonical ABI against a real Chicory memory, value by value (CanonicalABI.md). */
class CanonicalAbiTest {
    private final Memory memory = new ByteArrayMemory(new MemoryLimits(1, 1));
    private final HandleTable handles = new HandleTable();
    private final CallScope scope = new CallScope();
    private int bump = 1024;
    private final CanonicalAbi abi = new CanonicalAbi(memory, (oldPtr, oldSize, align, size) -> {
        bump = CanonicalAbi.alignTo(bump, align);
        int ptr = bump;
        bump += size;
        return ptr;
    }, handles, scope);

    private static final ValType.RecordType PERSON = new ValType.RecordType(List.of("first", "age", "tag"),
            List.of(Prim.STRING, Prim.U8, Prim.U32));
    private static final ValType.ResultType RESULT = new ValType.ResultType(Prim.U64, Prim.STRING);
    private static final ValType.VariantType MIXED = new ValType.VariantType(List.of("none", "f", "l", "d"),
            java.util.Arrays.asList(null, Prim.F32, Prim.U64, Prim.F64));

    @Test
    void sizesAndAlignmentsFollowTheSpec() {
        assertEquals(16, CanonicalAbi.size(PERSON));          // string 8, u8 @8, u32 @12
        assertEquals(4, CanonicalAbi.alignment(PERSON));
        assertEquals(16, CanonicalAbi.size(RESULT));          // disc 1, payload at 8, 8 bytes
        assertEquals(8, CanonicalAbi.alignment(RESULT));
        assertEquals(2, CanonicalAbi.size(new ValType.EnumType(names(257))), "257 cases need a u16 discriminant");
        assertEquals(4, CanonicalAbi.size(new ValType.FlagsType(names(17))));
        assertEquals(1, CanonicalAbi.size(new ValType.FlagsType(names(8))));
        assertEquals(8, CanonicalAbi.size(new ValType.OptionType(Prim.U32)));
        assertEquals(List.of(Flat.I32, Flat.I64), CanonicalAbi.flatten(MIXED), "f32, u64 and f64 join to i64");
        assertEquals(List.of(Flat.I32, Flat.F32), CanonicalAbi.flatten(new ValType.OptionType(Prim.F32)), "no join with an empty case");
        assertEquals(List.of(Flat.I32, Flat.I32, Flat.I32, Flat.I32), CanonicalAbi.flatten(PERSON));
    }

    @Test
    void primitivesRoundTripThroughMemoryAndFlatValues() {
        Object[][] cases = {
            {Prim.BOOL, true}, {Prim.S8, -5}, {Prim.U8, 250}, {Prim.S16, -300}, {Prim.U16, 65000},
            {Prim.S32, -7}, {Prim.U32, 0xfffffffe}, {Prim.S64, -9L}, {Prim.U64, -1L}, {Prim.F32, 1.5f},
            {Prim.F64, -2.25}, {Prim.CHAR, 0x1F600}, {Prim.STRING, "héllo ☃"},
        };
        for (Object[] c : cases) {
            ValType t = (ValType) c[0];
            assertEquals(c[1], roundTripMemory(t, c[1]), t + " in memory");
            assertEquals(c[1], roundTripFlat(t, c[1]), t + " flat");
        }
    }

    @Test
    void compoundValuesRoundTrip() {
        Object[] person = {"Ada", 36, 0xdeadbeef};
        assertArrayEquals(person, (Object[]) roundTripMemory(PERSON, person));
        assertArrayEquals(person, (Object[]) roundTripFlat(PERSON, person));
        ValType.TupleType pair = new ValType.TupleType(List.of(Prim.U16, Prim.S64));
        assertArrayEquals(new Object[] {7, 8L}, (Object[]) roundTripMemory(pair, new Object[] {7, 8L}));

        for (Variant v : List.of(Variant.ok(42L), Variant.err("boom"))) {
            assertEquals(v, roundTripMemory(RESULT, v));
            assertEquals(v, roundTripFlat(RESULT, v));
        }
        for (Variant v : List.of(new Variant(0, null), new Variant(1, 2.5f), new Variant(2, 1L << 40), new Variant(3, 1e300))) {
            assertEquals(v, roundTripMemory(MIXED, v));
            assertEquals(v, roundTripFlat(MIXED, v), "payload coerced through the joined i64");
        }
        ValType.OptionType opt = new ValType.OptionType(Prim.STRING);
        assertEquals(Variant.none(), roundTripFlat(opt, Variant.none()));
        assertEquals(Variant.some("x"), roundTripMemory(opt, Variant.some("x")));
        ValType.EnumType e = new ValType.EnumType(List.of("a", "b", "c"));
        assertEquals(2, roundTripMemory(e, 2));
        ValType.FlagsType f = new ValType.FlagsType(names(12));
        assertEquals(0b1000_0000_0101, roundTripMemory(f, 0b1000_0000_0101));

        ValType.ListType bytes = new ValType.ListType(Prim.U8);
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) roundTripFlat(bytes, new byte[] {1, 2, 3}));
        ValType.ListType people = new ValType.ListType(PERSON);
        @SuppressWarnings("unchecked")
        List<Object> back = (List<Object>) roundTripMemory(people, List.of(person, new Object[] {"Bo", 1, 2}));
        assertArrayEquals(new Object[] {"Bo", 1, 2}, (Object[]) back.get(1));
    }

    @Test
    void outOfBoundsPointersTrap() {
        ComponentTrap e = assertThrows(ComponentTrap.class, () -> lift(Prim.STRING, 65530, 100));
        assertTrue(e.getMessage().contains("out of bounds"), e.getMessage());
        assertThrows(ComponentTrap.class, () -> lift(Prim.STRING, -16, 100), "a pointer near 4 GiB wraps no further");
        assertThrows(ComponentTrap.class, () -> abi.load(Prim.U64, 65532));
        assertThrows(ComponentTrap.class, () -> lift(new ValType.ListType(Prim.U32), 0, 0x40000000));
    }

    @Test
    void misalignedListsTrap() {
        ComponentTrap e = assertThrows(ComponentTrap.class, () -> lift(new ValType.ListType(Prim.U32), 2, 1));
        assertTrue(e.getMessage().contains("misaligned"), e.getMessage());
    }

    @Test
    void invalidUtf8Traps() {
        memory.write(100, new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28});
        assertEquals("ok", lift(Prim.STRING, 100, 2));
        ComponentTrap e = assertThrows(ComponentTrap.class, () -> lift(Prim.STRING, 100, 4));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void badDiscriminantsAndCharsTrap() {
        ComponentTrap e = assertThrows(ComponentTrap.class, () -> lift(RESULT, 2, 0));
        assertTrue(e.getMessage().startsWith("invalid discriminant 2"), e.getMessage());
        memory.writeByte(200, (byte) 3);
        assertThrows(ComponentTrap.class, () -> abi.load(new ValType.EnumType(List.of("a", "b", "c")), 200));
        assertThrows(ComponentTrap.class, () -> lift(Prim.CHAR, 0xD800));
        assertThrows(ComponentTrap.class, () -> lift(Prim.CHAR, 0x110000));
        assertEquals(true, lift(Prim.BOOL, 2), "any non-zero i32 lifts to true");
    }

    @Test
    void ownHandlesMoveAndBorrowedHandlesAreLent() {
        ResourceType fields = new ResourceType("fields", false, -1);
        ResourceType other = new ResourceType("other", false, -1);
        Object hostObject = new Object();
        List<Long> flat = new ArrayList<>();
        abi.lowerFlat(new ValType.OwnType(fields), hostObject, flat);
        int handle = (int) (long) flat.get(0);
        assertEquals(1, handle, "handle 0 is never used");

        ComponentTrap foreign = assertThrows(ComponentTrap.class, () -> lift(new ValType.BorrowType(other), handle));
        assertTrue(foreign.getMessage().contains("is a fields, expected a other"), foreign.getMessage());

        assertSame(hostObject, lift(new ValType.BorrowType(fields), handle));
        ComponentTrap lent = assertThrows(ComponentTrap.class, () -> CanonicalAbi.resourceDrop(handles, fields, handle));
        assertTrue(lent.getMessage().contains("still lent"), lent.getMessage());
        scope.releaseLent();

        assertSame(hostObject, lift(new ValType.OwnType(fields), handle), "own moves the object out");
        ComponentTrap dropped = assertThrows(ComponentTrap.class, () -> lift(new ValType.OwnType(fields), handle));
        assertTrue(dropped.getMessage().startsWith("unknown handle 1"), dropped.getMessage());
        assertThrows(ComponentTrap.class, () -> lift(new ValType.OwnType(fields), 0));
    }

    @Test
    void droppingAnOwnHandleClosesTheHostResourceAndBorrowsMustBeDropped() {
        ResourceType body = new ResourceType("body", false, -1);
        boolean[] closed = {false};
        AutoCloseable resource = () -> closed[0] = true;
        List<Long> flat = new ArrayList<>();
        abi.lowerFlat(new ValType.OwnType(body), resource, flat);
        CanonicalAbi.resourceDrop(handles, body, (int) (long) flat.get(0));
        assertTrue(closed[0]);

        flat.clear();
        abi.lowerFlat(new ValType.BorrowType(body), resource, flat);
        assertThrows(ComponentTrap.class, scope::checkBorrowsDropped);
        CanonicalAbi.resourceDrop(handles, body, (int) (long) flat.get(0));
        scope.checkBorrowsDropped();
        assertEquals(0, handles.liveCount());
    }

    @Test
    void guestDefinedResourcesKeepTheirRep() {
        ResourceType mine = new ResourceType("mine", true, -1);
        int h = CanonicalAbi.resourceNew(handles, mine, 77);
        assertEquals(77, CanonicalAbi.resourceRep(handles, mine, h));
        assertEquals(77, CanonicalAbi.resourceDrop(handles, mine, h));
        assertThrows(ComponentTrap.class, () -> CanonicalAbi.resourceRep(handles, mine, h));
    }

    @Test
    void reallocResultsAreCheckedAndWrongHostValuesTrap() {
        CanonicalAbi bad = new CanonicalAbi(memory, (o, s, a, n) -> 65535, handles, scope);
        assertThrows(ComponentTrap.class, () -> bad.lowerFlat(Prim.STRING, "too long for the end", new ArrayList<>()));
        CanonicalAbi none = new CanonicalAbi(memory, null, handles, scope);
        ComponentTrap e = assertThrows(ComponentTrap.class, () -> none.lowerFlat(Prim.STRING, "x", new ArrayList<>()));
        assertTrue(e.getMessage().contains("no realloc"), e.getMessage());
        e = assertThrows(ComponentTrap.class, () -> abi.lowerFlat(Prim.U32, "not a number", new ArrayList<>()));
        assertTrue(e.getMessage().startsWith("host value String for u32"), e.getMessage());
    }

    private Object roundTripMemory(ValType t, Object v) {
        int ptr = abi.allocate(CanonicalAbi.alignment(t), CanonicalAbi.size(t));
        abi.store(t, v, ptr);
        return abi.load(t, ptr);
    }

    private Object roundTripFlat(ValType t, Object v) {
        List<Long> out = new ArrayList<>();
        abi.lowerFlat(t, v, out);
        assertEquals(CanonicalAbi.flatten(t).size(), out.size(), "flat count of " + t);
        return lift(t, out.stream().mapToLong(Long::longValue).toArray());
    }

    private Object lift(ValType t, long... values) {
        return abi.liftFlat(t, new CanonicalAbi.FlatReader(values));
    }

    private static List<String> names(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("n" + i);
        }
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
