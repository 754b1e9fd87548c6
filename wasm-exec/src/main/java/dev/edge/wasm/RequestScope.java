package dev.edge.wasm;

import dev.edge.kv.KeyValueStore;
import dev.edge.kv.StoreTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the host functions of one instance see during one request: the request, the response being
 * built, the request's store table and open compare-and-swap handles, the last error. Owned by the single
 * thread running the instance; reset by {@link #end()} so nothing leaks into the next request.
 */
final class RequestScope {
    private static final int KEEP_BODY_BUFFER = 64 * 1024;

    /** An open compare-and-swap: the value read at {@code kv_cas_new} (null = absent). */
    record Cas(KeyValueStore store, String key, byte[] expected) {}

    private final long maxResponseBody;
    private final MemoryBudget bodyBuffers;
    /** Bytes of {@link #body} beyond its first 1 KiB, reserved from {@link #bodyBuffers}. */
    private long reserved;
    private GuestRequest request;
    private StoreTable stores;
    private int status;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private byte[] body = new byte[1024];
    private int bodyLength;
    private final List<Cas> cas = new ArrayList<>();
    private String lastError = "";
    private RateLimitNote rateLimit;
    private boolean inline;

    RequestScope(long maxResponseBody, MemoryBudget bodyBuffers) {
        this.maxResponseBody = maxResponseBody;
        this.bodyBuffers = bodyBuffers;
    }

    void begin(GuestRequest request, StoreTable stores) {
        begin(request, stores, new RateLimitNote());
    }

    /** {@code rateLimit} outlives the request: the handler reads it after the instance went back to the pool. */
    void begin(GuestRequest request, StoreTable stores, RateLimitNote rateLimit) {
        begin(request, stores, rateLimit, false);
    }

    /** {@code inline}: the run is on a thread that must not block; host calls that might throw {@link MustBlock}. */
    void begin(GuestRequest request, StoreTable stores, RateLimitNote rateLimit, boolean inline) {
        this.inline = inline;
        this.request = request;
        this.stores = stores;
        this.status = 200;
        this.rateLimit = rateLimit;
    }

    void end() {
        inline = false;
        request = null;
        stores = null;
        headers.clear();
        bodyLength = 0;
        if (body.length > KEEP_BODY_BUFFER) {
            releaseBody();
        }
        cas.clear();
        lastError = "";
        rateLimit = null;
    }

    boolean inline() { return inline; }

    GuestRequest request() {
        if (request == null) {
            throw new AbiError(GuestAbi.ERR_OTHER, "no request in progress (called from _initialize?)");
        }
        return request;
    }

    StoreTable stores() {
        if (stores == null) {
            throw new AbiError(GuestAbi.ERR_OTHER, "no request in progress (called from _initialize?)");
        }
        return stores;
    }

    void status(int newStatus) { status = newStatus; }

    void addHeader(String name, String value) { headers.add(Map.entry(name, value)); }

    void write(byte[] data) {
        long newLength = (long) bodyLength + data.length;
        if (newLength > maxResponseBody) {
            throw new ResponseTooLargeException(maxResponseBody);
        }
        if (newLength > body.length) {
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(newLength, body.length * 2L));
            if (!bodyBuffers.tryReserve(capacity - body.length)) {
                throw new BodyBuffersExhausted(bodyBuffers, capacity - body.length);
            }
            reserved += capacity - body.length;
            body = Arrays.copyOf(body, capacity);
        }
        System.arraycopy(data, 0, body, bodyLength, data.length);
        bodyLength = (int) newLength;
    }

    /** Drops the response buffer and gives its reservation back (end of a large response, or of the instance). */
    void releaseBody() {
        body = new byte[1024];
        bodyBuffers.release(reserved);
        reserved = 0;
    }

    GuestResponse response() {
        return new GuestResponse(status, headers, Arrays.copyOf(body, bodyLength));
    }

    int openCas(Cas entry) {
        int free = cas.indexOf(null);
        if (free >= 0) {
            cas.set(free, entry);
            return free;
        }
        cas.add(entry);
        return cas.size() - 1;
    }

    Cas cas(int handle) {
        Cas entry = handle >= 0 && handle < cas.size() ? cas.get(handle) : null;
        if (entry == null) {
            throw new AbiError(GuestAbi.ERR_OTHER, "invalid cas handle " + handle);
        }
        return entry;
    }

    void closeCas(int handle) {
        cas(handle);
        cas.set(handle, null);
    }

    /** A host call was refused by the application's key-value rate limit. */
    void rateLimited(java.time.Duration retryAfter) {
        if (rateLimit != null) {
            rateLimit.note(retryAfter);
        }
    }

    String lastError() { return lastError; }

    void lastError(String message) { lastError = message == null ? "" : message; }
}
