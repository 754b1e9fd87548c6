package dev.edge.wasm;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of the {@code edge} import module for one instance (docs/guest-abi.md). Every function
 * returns an ABI code; failures of the key-value backend become Spin's error codes with the message in
 * {@code last_error}; a bad pointer traps the guest.
 */
final class EdgeHostFunctions {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeHostFunctions.class);

    @FunctionalInterface
    private interface Op {
        int call(GuestMemory mem, long[] args);
    }

    /** Every function the host provides in module {@code edge}, read off the functions themselves. */
    static final Set<String> NAMES = new EdgeHostFunctions("", new RequestScope(0, MemoryBudget.bodyDefault()), Map.of()).functions().stream()
            .map(HostFunction::name)
            .collect(Collectors.toUnmodifiableSet());

    private final String componentId;
    private final RequestScope scope;
    private final Map<String, String> variables;
    private GuestMemory memory;

    EdgeHostFunctions(String componentId, RequestScope scope, Map<String, String> variables) {
        this.componentId = componentId;
        this.scope = scope;
        this.variables = variables;
    }

    private GuestMemory memory(Instance instance) {
        GuestMemory mem = memory;
        if (mem == null || mem.instance() != instance) {
            mem = new GuestMemory(instance);
            memory = mem;
        }
        return mem;
    }

    List<HostFunction> functions() {
        List<HostFunction> fns = new ArrayList<>();
        // request
        fns.add(fn("req_method", types(I32), (m, a) -> {
            m.check(a[0], 8);
            m.writeBuf(a[0], scope.request().method().getBytes(StandardCharsets.UTF_8));
            return GuestAbi.OK;
        }));
        fns.add(fn("req_uri", types(I32), (m, a) -> {
            m.check(a[0], 8);
            m.writeBuf(a[0], scope.request().uri().getBytes(StandardCharsets.UTF_8));
            return GuestAbi.OK;
        }));
        fns.add(fn("req_header", types(I32, I32, I32), (m, a) -> {
            m.check(a[2], 8);
            String name = m.readUtf8(a[0], a[1], "header name");
            String value = scope.request().header(name);
            if (value == null) {
                return GuestAbi.ERR_NOT_FOUND;
            }
            m.writeBuf(a[2], value.getBytes(StandardCharsets.UTF_8));
            return GuestAbi.OK;
        }));
        fns.add(fn("req_header_count", types(), (m, a) -> scope.request().headers().size()));
        fns.add(fn("req_header_at", types(I32, I32, I32), (m, a) -> {
            m.check(a[1], 8);
            m.check(a[2], 8);
            List<Map.Entry<String, String>> headers = scope.request().headers();
            long index = a[0] & 0xFFFFFFFFL;
            if (index >= headers.size()) {
                return GuestAbi.ERR_NOT_FOUND;
            }
            Map.Entry<String, String> header = headers.get((int) index);
            m.writeBuf(a[1], header.getKey().getBytes(StandardCharsets.UTF_8));
            m.writeBuf(a[2], header.getValue().getBytes(StandardCharsets.UTF_8));
            return GuestAbi.OK;
        }));
        fns.add(fn("req_body", types(I32), (m, a) -> {
            m.check(a[0], 8);
            m.writeBuf(a[0], scope.request().body());
            return GuestAbi.OK;
        }));
        // response
        fns.add(fn("resp_set_status", types(I32), (m, a) -> {
            long status = a[0] & 0xFFFFFFFFL;
            if (!GuestResponse.isFinalStatus(status)) {
                // An interim (1xx) answer would desynchronise the client's connection: fail like a trap (500).
                throw new GuestTrap("invalid HTTP status " + status + " (a guest answers with a final status, 200..599)");
            }
            scope.request();
            scope.status((int) status);
            return GuestAbi.OK;
        }));
        fns.add(fn("resp_add_header", types(I32, I32, I32, I32), (m, a) -> {
            String name = m.readUtf8(a[0], a[1], "header name");
            String value = m.readUtf8(a[2], a[3], "header value");
            if (name.isEmpty() || !isToken(name)) {
                throw new AbiError(GuestAbi.ERR_OTHER, "invalid header name '" + name + "'");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                throw new AbiError(GuestAbi.ERR_OTHER, "header value of '" + name + "' contains CR, LF or NUL");
            }
            scope.request();
            scope.addHeader(name, value);
            return GuestAbi.OK;
        }));
        fns.add(fn("resp_write", types(I32, I32), (m, a) -> {
            byte[] data = m.read(a[0], a[1]);
            scope.request();
            scope.write(data);
            return GuestAbi.OK;
        }));
        // key-value
        fns.add(fn("kv_open", types(I32, I32, I32), (m, a) -> {
            m.check(a[2], 4);
            String label = m.readUtf8(a[0], a[1], "store label");
            int handle = scope.stores().open(label);
            m.writeI32(a[2], handle);
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_get", types(I32, I32, I32, I32), (m, a) -> {
            m.check(a[3], 8);
            KeyValueStore store = store(a[0]);
            var value = get(store, key(m, a[1], a[2]));
            if (value.isEmpty()) {
                return GuestAbi.ERR_NOT_FOUND;
            }
            m.writeBuf(a[3], value.get());
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_set", types(I32, I32, I32, I32, I32), (m, a) -> {
            KeyValueStore store = store(a[0]);
            String key = key(m, a[1], a[2]);
            store.set(key, m.read(a[3], a[4]));
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_set_ttl", types(I32, I32, I32, I32, I32, I64), (m, a) -> {
            KeyValueStore store = store(a[0]);
            String key = key(m, a[1], a[2]);
            if (a[5] <= 0) {
                throw new KvException(KvException.Kind.OTHER, "ttl must be a positive number of milliseconds");
            }
            store.setWithTtl(key, m.read(a[3], a[4]), java.time.Duration.ofMillis(a[5]));
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_delete", types(I32, I32, I32), (m, a) -> {
            KeyValueStore store = store(a[0]);
            store.delete(key(m, a[1], a[2]));
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_exists", types(I32, I32, I32, I32), (m, a) -> {
            m.check(a[3], 4);
            KeyValueStore store = store(a[0]);
            boolean exists = scope.inline() ? get(store, key(m, a[1], a[2])).isPresent() : store.exists(key(m, a[1], a[2]));
            m.writeI32(a[3], exists ? 1 : 0);
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_get_keys", types(I32, I32), (m, a) -> {
            m.check(a[1], 8);
            List<String> keys = store(a[0]).getKeys();
            writeList(m, a[1], utf8All(keys));
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_increment", types(I32, I32, I32, I64, I32), (m, a) -> {
            m.check(a[4], 8);
            KeyValueStore store = store(a[0]);
            long value = store.increment(key(m, a[1], a[2]), a[3]);
            m.writeI64(a[4], value);
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_cas_new", types(I32, I32, I32, I32), (m, a) -> {
            m.check(a[3], 4);
            KeyValueStore store = store(a[0]);
            String key = key(m, a[1], a[2]);
            byte[] current = store.get(key).orElse(null);
            m.writeI32(a[3], scope.openCas(new RequestScope.Cas(store, key, current)));
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_cas_current", types(I32, I32), (m, a) -> {
            m.check(a[1], 8);
            RequestScope.Cas cas = scope.cas((int) a[0]);
            if (cas.expected() == null) {
                return GuestAbi.ERR_NOT_FOUND;
            }
            m.writeBuf(a[1], cas.expected());
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_cas_swap", types(I32, I32, I32), (m, a) -> {
            byte[] value = m.read(a[1], a[2]);
            RequestScope.Cas cas = scope.cas((int) a[0]);
            scope.closeCas((int) a[0]);
            boolean swapped = cas.store().compareAndSwap(cas.key(), cas.expected(), value);
            return swapped ? GuestAbi.OK : GuestAbi.ERR_CAS_FAILED;
        }));
        fns.add(fn("kv_cas_drop", types(I32), (m, a) -> {
            scope.closeCas((int) a[0]);
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_get_many", types(I32, I32, I32, I32), (m, a) -> {
            m.check(a[3], 8);
            KeyValueStore store = store(a[0]);
            List<String> keys = keyArray(m, a[1], a[2]);
            Map<String, byte[]> found = store.getMany(keys);
            // keep the guest's order, leave absent keys out
            List<byte[]> flat = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String key : keys) {
                byte[] value = found.get(key);
                if (value != null && seen.add(key)) {
                    flat.add(key.getBytes(StandardCharsets.UTF_8));
                    flat.add(value);
                }
            }
            writePairs(m, a[3], flat);
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_set_many", types(I32, I32, I32), (m, a) -> {
            KeyValueStore store = store(a[0]);
            long n = a[2] & 0xFFFFFFFFL;
            m.check(a[1], n * 16);
            Map<String, byte[]> entries = new LinkedHashMap<>();
            for (long i = 0; i < n; i++) {
                long entry = (a[1] & 0xFFFFFFFFL) + i * 16;
                String key = key(m, m.readI32(entry), m.readI32(entry + 4));
                entries.put(key, m.read(m.readI32(entry + 8) & 0xFFFFFFFFL, m.readI32(entry + 12) & 0xFFFFFFFFL));
            }
            store.setMany(entries);
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_delete_many", types(I32, I32, I32), (m, a) -> {
            KeyValueStore store = store(a[0]);
            store.deleteMany(keyArray(m, a[1], a[2]));
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_list_keys", types(I32, I32, I32, I32, I32, I32, I32, I32), (m, a) -> {
            m.check(a[6], 8);
            m.check(a[7], 8);
            KeyValueStore store = store(a[0]);
            String prefix = m.readUtf8(a[1], a[2], "key prefix");
            String cursor = (a[4] & 0xFFFFFFFFL) == 0 ? null : m.readUtf8(a[3], a[4], "cursor");
            long limit = a[5] & 0xFFFFFFFFL;
            int pageSize = limit == 0 ? GuestAbi.DEFAULT_LIST_LIMIT : (int) Math.min(limit, GuestAbi.MAX_LIST_LIMIT);
            KeyValueStore.KeyPage page = store.listKeys(prefix, cursor, pageSize);
            writeList(m, a[6], utf8All(page.keys()));
            String next = page.nextCursor();
            m.writeBuf(a[7], next == null ? new byte[0] : next.getBytes(StandardCharsets.UTF_8));
            return GuestAbi.OK;
        }));
        fns.add(fn("kv_close", types(I32), (m, a) -> {
            scope.stores().close((int) a[0]);
            return GuestAbi.OK;
        }));
        // component variables
        fns.add(fn("var_get", types(I32, I32, I32), (m, a) -> {
            m.check(a[2], 8);
            String name = m.readUtf8(a[0], a[1], "variable name");
            String value = variables.get(name);
            if (value == null) {
                return GuestAbi.ERR_NOT_FOUND;
            }
            m.writeBuf(a[2], value.getBytes(StandardCharsets.UTF_8));
            return GuestAbi.OK;
        }));
        fns.add(fn("last_error", types(I32), (m, a) -> {
            m.check(a[0], 8);
            m.writeBuf(a[0], scope.lastError().getBytes(StandardCharsets.UTF_8));
            return GuestAbi.OK;
        }));
        return fns;
    }

    /** A read; inline only from what the store holds without waiting, else the run goes on a worker. */
    private java.util.Optional<byte[]> get(KeyValueStore store, String key) {
        if (!scope.inline()) {
            return store.get(key);
        }
        java.util.Optional<byte[]> value = store.getWithoutBlocking(key);
        if (value == null) {
            throw MustBlock.INSTANCE;
        }
        return value;
    }

    private KeyValueStore store(long handle) {
        return scope.stores().store((int) handle);
    }

    private static String key(GuestMemory m, long ptr, long len) {
        return m.readUtf8(ptr & 0xFFFFFFFFL, len & 0xFFFFFFFFL, "key");
    }

    /** Reads an array of n edge_buf_t {ptr, len} holding UTF-8 keys. */
    private static List<String> keyArray(GuestMemory m, long ptr, long count) {
        long n = count & 0xFFFFFFFFL;
        long base = ptr & 0xFFFFFFFFL;
        m.check(base, n * 8);
        List<String> keys = new ArrayList<>((int) Math.min(n, 1024));
        for (long i = 0; i < n; i++) {
            keys.add(key(m, m.readI32(base + i * 8), m.readI32(base + i * 8 + 4)));
        }
        return keys;
    }

    private static List<byte[]> utf8All(List<String> strings) {
        List<byte[]> out = new ArrayList<>(strings.size());
        for (String s : strings) {
            out.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** An edge_list_t in ONE allocation: n edge_buf_t items followed by their bytes. */
    private static void writeList(GuestMemory m, long outPtr, List<byte[]> items) {
        m.check(outPtr, 8);
        long total = items.size() * 8L;
        for (byte[] item : items) {
            total += item.length;
        }
        int block = items.isEmpty() ? 0 : m.allocate(total);
        long data = (block & 0xFFFFFFFFL) + items.size() * 8L;
        for (int i = 0; i < items.size(); i++) {
            byte[] item = items.get(i);
            m.writeI32(block + i * 8L, item.length == 0 ? 0 : (int) data);
            m.writeI32(block + i * 8L + 4, item.length);
            m.memory().write((int) data, item, 0, item.length);
            data += item.length;
        }
        m.writeI32(outPtr, block);
        m.writeI32(outPtr + 4, items.size());
    }

    /** An edge_kv_list_t in ONE allocation: n edge_kv_entry_t followed by the bytes; {@code flat} is k0,v0,k1,v1... */
    private static void writePairs(GuestMemory m, long outPtr, List<byte[]> flat) {
        int pairs = flat.size() / 2;
        long total = pairs * 16L;
        for (byte[] item : flat) {
            total += item.length;
        }
        int block = pairs == 0 ? 0 : m.allocate(total);
        long data = (block & 0xFFFFFFFFL) + pairs * 16L;
        for (int i = 0; i < flat.size(); i++) {
            byte[] item = flat.get(i);
            m.writeI32(block + i * 8L, item.length == 0 ? 0 : (int) data);
            m.writeI32(block + i * 8L + 4, item.length);
            m.memory().write((int) data, item, 0, item.length);
            data += item.length;
        }
        m.writeI32(outPtr, block);
        m.writeI32(outPtr + 4, pairs);
    }

    private static boolean isToken(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static List<ValType> types(ValType... types) {
        return List.of(types);
    }

    /** Writes whose first check is the store handle (so an inline run answers a bad handle as a worker would). */
    private static boolean storeHandleFirst(String name) {
        return switch (name) {
            case "kv_set", "kv_set_ttl", "kv_delete", "kv_set_many", "kv_delete_many" -> true;
            default -> false;
        };
    }

    /** Calls that read the request, build the response in the instance or read a store without waiting. */
    private static boolean inlineSafe(String name) {
        return name.startsWith("req_") || name.startsWith("resp_") || name.equals("kv_open") || name.equals("kv_close")
                || name.equals("kv_get") || name.equals("kv_exists") || name.equals("var_get") || name.equals("last_error");
    }

    private HostFunction fn(String name, List<ValType> params, Op op) {
        FunctionType type = FunctionType.of(params, List.of(I32));
        boolean inlineSafe = inlineSafe(name);
        boolean storeHandleFirst = storeHandleFirst(name);
        return new HostFunction(GuestAbi.MODULE, name, type, (instance, args) -> {
            GuestMemory mem = memory(instance);
            int code;
            try {
                if (!inlineSafe && scope.inline()) {
                    if (storeHandleFirst) {
                        store(args[0]); // a bad handle fails here as on a worker, with no effect: no need to re-run
                    }
                    throw MustBlock.INSTANCE;
                }
                code = op.call(mem, args);
            } catch (ChicoryException e) {
                throw e; // traps (bad pointers, guest allocator trapping, response too large) end the request
            } catch (AbiError e) {
                scope.lastError(e.getMessage());
                code = e.code();
            } catch (KvException e) {
                scope.lastError(e.getMessage());
                code = GuestAbi.code(e.kind());
                e.retryAfter().ifPresent(scope::rateLimited);
            } catch (RuntimeException e) {
                LOG.warn("component '{}': host call {} failed: {}", componentId, name, e.toString());
                scope.lastError(name + " failed: " + e.getMessage());
                code = GuestAbi.ERR_OTHER;
            }
            return new long[] {code};
        });
    }
}
