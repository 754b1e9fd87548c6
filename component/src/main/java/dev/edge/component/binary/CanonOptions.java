package dev.edge.component.binary;

/**
 * The options of a {@code canon lift} or {@code canon lower}: core memory, realloc and post-return
 * indices, or -1 when absent. Strings are always UTF-8: the parser refuses utf16 and latin1+utf16.
 */
public record CanonOptions(int memory, int realloc, int postReturn) {
    public static final CanonOptions NONE = new CanonOptions(-1, -1, -1);
}
