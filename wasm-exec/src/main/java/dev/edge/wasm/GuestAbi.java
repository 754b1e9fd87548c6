package dev.edge.wasm;

import dev.edge.kv.KvException;
import java.util.Set;

/** Names and codes of the edge guest ABI (docs/guest-abi.md, sdk/edge.h). */
public final class GuestAbi {
    private GuestAbi() {}

    public static final String MODULE = "edge";
    public static final String WASI_MODULE = "wasi_snapshot_preview1";

    public static final String EXPORT_MEMORY = "memory";
    public static final String EXPORT_ALLOC = "edge_alloc";
    public static final String EXPORT_HANDLE = "edge_http_handle";
    public static final String EXPORT_INITIALIZE = "_initialize";

    public static final int PAGE_SIZE = 65536;

    public static final int OK = 0;
    public static final int ERR_STORE_TABLE_FULL = 1;
    public static final int ERR_NO_SUCH_STORE = 2;
    public static final int ERR_ACCESS_DENIED = 3;
    public static final int ERR_OTHER = 4;
    public static final int ERR_NOT_FOUND = 5;
    public static final int ERR_CAS_FAILED = 6;

    /** Page size of {@code kv_list_keys} when the guest passes limit 0, and the largest it may ask for. */
    public static final int DEFAULT_LIST_LIMIT = 100;
    public static final int MAX_LIST_LIMIT = 1000;

    /** The guest ABI code of a key-value error kind. */
    public static int code(KvException.Kind kind) {
        return switch (kind) {
            case STORE_TABLE_FULL -> ERR_STORE_TABLE_FULL;
            case NO_SUCH_STORE -> ERR_NO_SUCH_STORE;
            case ACCESS_DENIED -> ERR_ACCESS_DENIED;
            case OTHER -> ERR_OTHER;
        };
    }
}
