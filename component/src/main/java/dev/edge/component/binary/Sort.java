package dev.edge.component.binary;

/** The index spaces of a component: core sorts first, then component-level sorts. */
public enum Sort {
    CORE_FUNC, CORE_TABLE, CORE_MEMORY, CORE_GLOBAL, CORE_TAG, CORE_TYPE, CORE_MODULE, CORE_INSTANCE,
    FUNC, VALUE, TYPE, COMPONENT, INSTANCE;

    static Sort core(int code, Reader in) {
        return switch (code) {
            case 0x00 -> CORE_FUNC;
            case 0x01 -> CORE_TABLE;
            case 0x02 -> CORE_MEMORY;
            case 0x03 -> CORE_GLOBAL;
            case 0x04 -> CORE_TAG;
            case 0x10 -> CORE_TYPE;
            case 0x11 -> CORE_MODULE;
            case 0x12 -> CORE_INSTANCE;
            default -> throw in.error("unknown core sort 0x" + Integer.toHexString(code));
        };
    }

    static Sort read(Reader in) {
        int code = in.u8();
        return switch (code) {
            case 0x00 -> core(in.u8(), in);
            case 0x01 -> FUNC;
            case 0x02 -> VALUE;
            case 0x03 -> TYPE;
            case 0x04 -> COMPONENT;
            case 0x05 -> INSTANCE;
            default -> throw in.error("unknown sort 0x" + Integer.toHexString(code));
        };
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
