package dev.edge.component.abi;

/**
 * A component-level {@code variant}, {@code option} or {@code result} value in the host's value model.
 * {@code option}: case 0 is {@code none}, 1 is {@code some}; {@code result}: case 0 is {@code ok}, 1 is
 * {@code err}. {@code payload} is null when the case carries none.
 *
 * <p>The value model, shared by the canonical ABI and every host interface: {@code bool} → Boolean;
 * {@code s8 u8 s16 u16 s32 u32} → Integer ({@code u32} as raw bits); {@code s64 u64} → Long (raw bits);
 * {@code f32} → Float; {@code f64} → Double; {@code char} → Integer (a Unicode scalar value);
 * {@code string} → String; {@code list<u8>} → byte[]; other lists → {@code java.util.List<Object>};
 * {@code record} and {@code tuple} → Object[] in declaration order; {@code enum} → Integer (case index);
 * {@code flags} → Integer bitmask (bit i is the i-th flag); {@code own<R>} / {@code borrow<R>} of a host
 * resource → the host's Java object (the runtime keeps each instance's handle table).
 */
public record Variant(int index, Object payload) {
    private static final Variant NONE = new Variant(0, null);

    public static Variant none() {
        return NONE;
    }

    public static Variant some(Object value) {
        return new Variant(1, value);
    }

    public static Variant ok(Object value) {
        return new Variant(0, value);
    }

    public static Variant err(Object value) {
        return new Variant(1, value);
    }

    public boolean isOk() {
        return index == 0;
    }

    public boolean isSome() {
        return index == 1;
    }
}
