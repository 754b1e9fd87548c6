package dev.edge.component.types;

import java.util.List;

/** A component-level value type (CanonicalABI.md "despecialized" forms are kept: option, result, enum). */
public sealed interface ValType {

    enum Prim implements ValType { BOOL, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, CHAR, STRING }

    record ListType(ValType element) implements ValType {}

    record RecordType(List<String> names, List<ValType> fields) implements ValType {
        public RecordType { names = List.copyOf(names); fields = List.copyOf(fields); }
    }

    record TupleType(List<ValType> elements) implements ValType {
        public TupleType { elements = List.copyOf(elements); }
    }

    /** {@code cases} holds null for a case without payload. */
    record VariantType(List<String> names, List<ValType> cases) implements ValType {
        public VariantType { names = List.copyOf(names); cases = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(cases)); }
    }

    record EnumType(List<String> names) implements ValType {
        public EnumType { names = List.copyOf(names); }
    }

    record OptionType(ValType value) implements ValType {}

    /** {@code ok} and {@code err} are null when absent. */
    record ResultType(ValType ok, ValType err) implements ValType {}

    record FlagsType(List<String> names) implements ValType {
        public FlagsType { names = List.copyOf(names); }
    }

    record OwnType(ResourceType resource) implements ValType {}

    record BorrowType(ResourceType resource) implements ValType {}
}
