package dev.edge.component.abi;

import com.dylibso.chicory.wasm.types.ValType;

/** A core value type of the flattened ABI, and the joins of CanonicalABI.md's {@code flatten_variant}. */
public enum Flat {
    I32, I64, F32, F64;

    public ValType core() {
        return switch (this) {
            case I32 -> ValType.I32;
            case I64 -> ValType.I64;
            case F32 -> ValType.F32;
            case F64 -> ValType.F64;
        };
    }

    static Flat join(Flat a, Flat b) {
        if (a == b) {
            return a;
        }
        if ((a == I32 && b == F32) || (a == F32 && b == I32)) {
            return I32;
        }
        return I64;
    }
}
