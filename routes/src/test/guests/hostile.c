/* A guest that misbehaves on purpose, for the security and limit tests (gateway and routes):
 *
 *   /guess  uses store and compare-and-swap handles it never opened (guessed numbers), opens a label it was
 *           not granted, and reports every ABI code as "op(handle)=code" lines. Only "default" is granted.
 *   /stale  first request: opens "default" and remembers the handle in a global; later requests use the
 *           remembered handle without opening (handle tables are per request, so it must be invalid).
 *   /hog    allocates 1 MiB blocks until malloc fails, then aborts (a trap), like a Rust guest on OOM.
 *   /write  sets key "hostile" in "default" and answers 200, or 503 with the last error.
 */
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include <stdio.h>

static char out[4096];
static size_t used;

static void line(const char *op, uint32_t handle, edge_err_t code) {
    used += (size_t)snprintf(out + used, sizeof out - used, "%s(%u)=%d\n", op, (unsigned)handle, (int)code);
}

static void guess(void) {
    static const uint32_t handles[] = {0, 1, 7, 255, 256, 0x7fffffff, 0xffffffff};
    for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++) {
        uint32_t h = handles[i];
        edge_buf_t buf;
        uint32_t flag;
        int64_t counter;
        edge_cas_t cas;
        edge_list_t keys;
        line("get", h, edge_kv_get(h, "k", 1, &buf));
        line("set", h, edge_kv_set(h, "k", 1, "v", 1));
        line("delete", h, edge_kv_delete(h, "k", 1));
        line("exists", h, edge_kv_exists(h, "k", 1, &flag));
        line("get_keys", h, edge_kv_get_keys(h, &keys));
        line("increment", h, edge_kv_increment(h, "k", 1, 1, &counter));
        line("cas_new", h, edge_kv_cas_new(h, "k", 1, &cas));
        line("cas_current", h, edge_kv_cas_current(h, &buf));
        line("cas_swap", h, edge_kv_cas_swap(h, "v", 1));
        line("close", h, edge_kv_close(h));
    }
    edge_store_t secret;
    line("open_secret", 0, edge_kv_open_str("secret", &secret));
    edge_store_t store;
    edge_err_t rc = edge_kv_open_default(&store);
    line("open_default", store, rc);
    edge_buf_t buf;
    line("get_next", store + 1, edge_kv_get(store + 1, "k", 1, &buf));
    line("close", store, edge_kv_close(store));
    line("get_closed", store, edge_kv_get(store, "k", 1, &buf));
}

static uint32_t remembered = 0xffffffff;

static void stale(void) {
    if (remembered == 0xffffffff) {
        edge_store_t store;
        line("open_default", 0, edge_kv_open_default(&store));
        remembered = store;
        return;
    }
    edge_buf_t buf;
    line("get_remembered", remembered, edge_kv_get(remembered, "k", 1, &buf));
    line("set_remembered", remembered, edge_kv_set(remembered, "k", 1, "v", 1));
}

static void *volatile last_block; /* keeps the compiler from dropping the allocations */

static void hog(void) {
    for (;;) {
        void *block = malloc(1 << 20);
        if (block == NULL) __builtin_trap();
        ((char *)block)[0] = 1;
        last_block = block;
    }
}

static void write_key(void) {
    edge_store_t store;
    if (edge_kv_open_default(&store) == EDGE_OK && edge_kv_set(store, "hostile", 7, "v", 1) == EDGE_OK) {
        edge_resp_set_status(200);
        return;
    }
    edge_buf_t msg;
    edge_resp_set_status(503);
    if (edge_last_error(&msg) == EDGE_OK) edge_resp_write(msg.ptr, msg.len);
}

int32_t edge_http_handle(void) {
    edge_buf_t uri;
    edge_req_uri(&uri);
    const char *path = (const char *)uri.ptr;
    used = 0;
    if (uri.len >= 6 && memcmp(path, "/guess", 6) == 0) guess();
    else if (uri.len >= 6 && memcmp(path, "/stale", 6) == 0) stale();
    else if (uri.len >= 4 && memcmp(path, "/hog", 4) == 0) hog();
    else if (uri.len >= 6 && memcmp(path, "/write", 6) == 0) write_key();
    else edge_resp_set_status(404);
    edge_resp_write(out, (uint32_t)used);
    edge_buf_free(&uri);
    return 0;
}
