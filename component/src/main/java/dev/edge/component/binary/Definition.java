package dev.edge.component.binary;

import dev.edge.component.types.FuncType;
import dev.edge.component.types.ResourceType;
import java.util.List;

/**
 * One definition of a component, in binary order. Each appends one entry to the index space of its
 * {@link #sort()}; instantiation replays them in order, so every index refers to an earlier entry.
 */
public sealed interface Definition {
    Sort sort();

    /** A reference to an entry of an index space, e.g. an instantiation argument or an inline export. */
    record Item(String name, Sort sort, int index) {}

    record CoreModule(int ordinal, byte[] bytes) implements Definition {
        public Sort sort() { return Sort.CORE_MODULE; }
    }

    record CoreInstantiate(int module, List<Item> args) implements Definition {
        public Sort sort() { return Sort.CORE_INSTANCE; }
    }

    record CoreInlineExports(List<Item> exports) implements Definition {
        public Sort sort() { return Sort.CORE_INSTANCE; }
    }

    record CoreAlias(Sort sort, int coreInstance, String name) implements Definition {}

    record ExportAlias(Sort sort, int instance, String name) implements Definition {}

    record NestedComponent(ParsedComponent component) implements Definition {
        public Sort sort() { return Sort.COMPONENT; }
    }

    record Instantiate(int component, List<Item> args) implements Definition {
        public Sort sort() { return Sort.INSTANCE; }
    }

    record InlineExports(List<Item> exports) implements Definition {
        public Sort sort() { return Sort.INSTANCE; }
    }

    /** A type, resolved while parsing (a ValType, FuncType, InstanceType, ComponentType or ResourceType). */
    record TypeDef(Object type) implements Definition {
        public Sort sort() { return Sort.TYPE; }
    }

    record CoreTypeDef() implements Definition {
        public Sort sort() { return Sort.CORE_TYPE; }
    }

    record Lift(int coreFunc, CanonOptions options, FuncType type) implements Definition {
        public Sort sort() { return Sort.FUNC; }
    }

    record Lower(int func, CanonOptions options) implements Definition {
        public Sort sort() { return Sort.CORE_FUNC; }
    }

    record ResourceNew(ResourceType resource) implements Definition {
        public Sort sort() { return Sort.CORE_FUNC; }
    }

    record ResourceDrop(ResourceType resource) implements Definition {
        public Sort sort() { return Sort.CORE_FUNC; }
    }

    record ResourceRep(ResourceType resource) implements Definition {
        public Sort sort() { return Sort.CORE_FUNC; }
    }

    /** {@code type} is the declared FuncType, InstanceType, ComponentType or type bound. */
    record Import(String name, Sort sort, Object type) implements Definition {}

    record Export(String name, Sort sort, int index) implements Definition {}
}
