package dev.edge.component.binary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edge.component.types.FuncType;
import dev.edge.component.types.InstanceType;
import dev.edge.component.types.ResourceType;
import dev.edge.component.types.ValType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComponentParserTest {

    static byte[] component(String name) {
        return dev.edge.component.TestComponents.bytes(name);
    }

    @Test
    void parsesImportsExportsAndTypesOfTheValuesComponent() {
        byte[] bytes = component("values");
        assertTrue(ComponentParser.isComponent(bytes));
        ParsedComponent parsed = ComponentParser.parse(bytes);

        InstanceType host = assertInstanceOf(InstanceType.class, parsed.imports().get("test:host/values@0.1.0"));
        ResourceType counter = assertInstanceOf(ResourceType.class, host.exports().get("counter"));
        assertFalse(counter.defined());
        FuncType next = (FuncType) host.exports().get("[method]counter.next");
        assertEquals(List.of("self"), next.paramNames());
        assertSame(counter, ((ValType.BorrowType) next.params().get(0)).resource(), "borrow refers to the imported resource");
        FuncType ctor = (FuncType) host.exports().get("[constructor]counter");
        assertSame(counter, ((ValType.OwnType) ctor.result()).resource());

        InstanceType run = assertInstanceOf(InstanceType.class, parsed.exports().get("test:guest/run@0.1.0"));
        assertEquals(new FuncType(List.of("s"), List.of(ValType.Prim.STRING), ValType.Prim.STRING), run.exports().get("shout"));
        assertEquals(new FuncType(List.of("a", "b"), List.of(ValType.Prim.U32, ValType.Prim.U32), ValType.Prim.U32),
                run.exports().get("add"), "the type of a function re-exported through a nested component");

        assertEquals(2, parsed.coreModules().size());
        assertArrayEquals(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0}, java.util.Arrays.copyOf(parsed.coreModules().get(0).bytes(), 8));
        assertEquals(1, parsed.count(Sort.COMPONENT));
        Definition.Lift shout = parsed.definitions().stream().filter(d -> d instanceof Definition.Lift l
                && l.type().params().equals(List.of(ValType.Prim.STRING))).map(d -> (Definition.Lift) d).findFirst().orElseThrow();
        assertTrue(shout.options().memory() >= 0 && shout.options().realloc() >= 0 && shout.options().postReturn() >= 0);
    }

    @Test
    void aCoreModuleIsNotAComponent() {
        byte[] core = {0, 'a', 's', 'm', 1, 0, 0, 0};
        assertFalse(ComponentParser.isComponent(core));
        ComponentFormatException e = assertThrows(ComponentFormatException.class, () -> ComponentParser.parse(core));
        assertTrue(e.getMessage().startsWith("not a component (layer 0"), e.getMessage());
    }

    @Test
    void truncatedComponentFailsWithOffset() {
        byte[] bytes = component("values");
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length / 2);
        ComponentFormatException e = assertThrows(ComponentFormatException.class, () -> ComponentParser.parse(cut));
        assertTrue(e.getMessage().contains("byte offset"), e.getMessage());
    }

    @Test
    void refusesUtf16StringsAndStartFunctionsByName() {
        // (canon lower (func 0) string-encoding=utf16): a canon section with one lower whose option is 0x01
        byte[] utf16 = withSection(8, new byte[] {1, 0x01, 0x00, 0x00, 1, 0x01});
        ComponentFormatException e = assertThrows(ComponentFormatException.class, () -> ComponentParser.parse(utf16));
        assertTrue(e.getMessage().startsWith("string-encoding=utf16 is not supported (edge supports utf8 only)"), e.getMessage());

        byte[] start = withSection(9, new byte[] {0, 0, 0});
        e = assertThrows(ComponentFormatException.class, () -> ComponentParser.parse(start));
        assertTrue(e.getMessage().startsWith("component start functions are not supported"), e.getMessage());

        byte[] async = withSection(8, new byte[] {1, 0x24});
        e = assertThrows(ComponentFormatException.class, () -> ComponentParser.parse(async));
        assertTrue(e.getMessage().contains("not supported"), e.getMessage());
    }

    private static byte[] withSection(int id, byte[] body) {
        byte[] out = new byte[8 + 2 + body.length];
        System.arraycopy(new byte[] {0, 'a', 's', 'm', 0x0d, 0, 1, 0}, 0, out, 0, 8);
        out[8] = (byte) id;
        out[9] = (byte) body.length;
        System.arraycopy(body, 0, out, 10, body.length);
        return out;
    }
}
