/*
 * edge.h - the edge guest ABI for C (see docs/guest-abi.md for the full contract).
 *
 * A guest is a core wasm module (wasm32-wasi, reactor model) that exports `memory`, `edge_alloc`
 * and `edge_http_handle`. Include this header in exactly one translation unit with
 * EDGE_IMPLEMENTATION defined to get the exports `edge_alloc` (backed by malloc); the handler
 * itself is yours:
 *
 *     #define EDGE_IMPLEMENTATION
 *     #include "edge.h"
 *     int32_t edge_http_handle(void) { edge_resp_set_status(200); return 0; }
 *
 * Build: clang --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--export=edge_http_handle ...
 *
 * Every host call returns an edge_err_t (EDGE_OK = 0). Variable-size results are placed into guest
 * memory the host obtains by calling edge_alloc; the guest owns them and releases them with free().
 * An out-of-range pointer passed to the host traps the guest.
 */
#ifndef EDGE_H
#define EDGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- error codes ---------------------------------------------------------------------------- */
typedef int32_t edge_err_t;
#define EDGE_OK                    0
#define EDGE_ERR_STORE_TABLE_FULL  1 /* Spin key-value error store-table-full */
#define EDGE_ERR_NO_SUCH_STORE     2 /* Spin key-value error no-such-store */
#define EDGE_ERR_ACCESS_DENIED     3 /* Spin key-value error access-denied */
#define EDGE_ERR_OTHER             4 /* Spin key-value error other(string): see edge_last_error */
#define EDGE_ERR_NOT_FOUND         5 /* absent key / header / index (not an error in Spin's sense) */
#define EDGE_ERR_CAS_FAILED        6 /* wasi:keyvalue cas-failed: the value changed since it was read */

/* A byte string placed in guest memory by the host (free(ptr) when done; ptr may be NULL if len 0). */
typedef struct edge_buf {
    uint8_t *ptr;
    uint32_t len;
} edge_buf_t;

/* A list of byte strings, placed as ONE allocation: free(list.items) releases the items and their bytes. */
typedef struct edge_list {
    edge_buf_t *items;
    uint32_t len;
} edge_list_t;

/* One key/value pair, for the batch operations. */
typedef struct edge_kv_entry {
    edge_buf_t key;
    edge_buf_t value;
} edge_kv_entry_t;

/* A list of entries, placed as ONE allocation: free(list.items) releases everything. */
typedef struct edge_kv_list {
    edge_kv_entry_t *items;
    uint32_t len;
} edge_kv_list_t;

typedef uint32_t edge_store_t;
typedef uint32_t edge_cas_t;

#define EDGE_IMPORT(name) __attribute__((import_module("edge"), import_name(name)))

/* ---- request -------------------------------------------------------------------------------- */
EDGE_IMPORT("req_method") edge_err_t edge_req_method(edge_buf_t *out);
EDGE_IMPORT("req_uri") edge_err_t edge_req_uri(edge_buf_t *out);
/* First value of a header (name case-insensitive); EDGE_ERR_NOT_FOUND if absent. */
EDGE_IMPORT("req_header") edge_err_t edge_req_header(const char *name, uint32_t name_len, edge_buf_t *out);
/* Number of request headers (names lower-case, arrival order, repeats kept). */
EDGE_IMPORT("req_header_count") uint32_t edge_req_header_count(void);
/* Header number `index`; EDGE_ERR_NOT_FOUND past the end. */
EDGE_IMPORT("req_header_at") edge_err_t edge_req_header_at(uint32_t index, edge_buf_t *name, edge_buf_t *value);
EDGE_IMPORT("req_body") edge_err_t edge_req_body(edge_buf_t *out);

/* ---- response ------------------------------------------------------------------------------- */
/* A final status, 200..599. Anything else (an interim 1xx, 600 and up) traps: the request fails with 500.
 * The default status is 200. */
EDGE_IMPORT("resp_set_status") edge_err_t edge_resp_set_status(uint32_t status);
EDGE_IMPORT("resp_add_header") edge_err_t edge_resp_add_header(const char *name, uint32_t name_len,
                                                               const char *value, uint32_t value_len);
/* Appends to the body. Past the response limit the request is aborted (500) and this never returns. */
EDGE_IMPORT("resp_write") edge_err_t edge_resp_write(const void *data, uint32_t len);

/* ---- key-value (Spin fermyon:spin/key-value + wasi:keyvalue) -------------------------------- */
EDGE_IMPORT("kv_open") edge_err_t edge_kv_open(const char *label, uint32_t label_len, edge_store_t *out);
/* EDGE_ERR_NOT_FOUND when the key is absent. */
EDGE_IMPORT("kv_get") edge_err_t edge_kv_get(edge_store_t store, const char *key, uint32_t key_len, edge_buf_t *out);
EDGE_IMPORT("kv_set") edge_err_t edge_kv_set(edge_store_t store, const char *key, uint32_t key_len,
                                             const void *value, uint32_t value_len);
/* Edge extension: upsert a value that expires after ttl_ms milliseconds (> 0). Redis stores only;
 * other stores answer EDGE_ERR_OTHER. A later edge_kv_set makes the key persistent again. */
EDGE_IMPORT("kv_set_ttl") edge_err_t edge_kv_set_ttl(edge_store_t store, const char *key, uint32_t key_len,
                                                     const void *value, uint32_t value_len, int64_t ttl_ms);
EDGE_IMPORT("kv_delete") edge_err_t edge_kv_delete(edge_store_t store, const char *key, uint32_t key_len);
/* *out = 1 if the key exists, else 0. */
EDGE_IMPORT("kv_exists") edge_err_t edge_kv_exists(edge_store_t store, const char *key, uint32_t key_len, uint32_t *out);
EDGE_IMPORT("kv_get_keys") edge_err_t edge_kv_get_keys(edge_store_t store, edge_list_t *out);
/* Atomic add (absent = 0); *out = the new value. */
EDGE_IMPORT("kv_increment") edge_err_t edge_kv_increment(edge_store_t store, const char *key, uint32_t key_len,
                                                         int64_t delta, int64_t *out);
/* Compare-and-swap: new reads the key's current value and remembers it; current returns it
 * (EDGE_ERR_NOT_FOUND if absent); swap writes `value` only if the key still holds what was read,
 * else EDGE_ERR_CAS_FAILED. swap and drop release the cas handle. */
EDGE_IMPORT("kv_cas_new") edge_err_t edge_kv_cas_new(edge_store_t store, const char *key, uint32_t key_len, edge_cas_t *out);
EDGE_IMPORT("kv_cas_current") edge_err_t edge_kv_cas_current(edge_cas_t cas, edge_buf_t *out);
EDGE_IMPORT("kv_cas_swap") edge_err_t edge_kv_cas_swap(edge_cas_t cas, const void *value, uint32_t value_len);
EDGE_IMPORT("kv_cas_drop") edge_err_t edge_kv_cas_drop(edge_cas_t cas);
/* Batches: keys is an array of n edge_buf_t (ptr,len) in guest memory. get_many leaves absent keys out. */
EDGE_IMPORT("kv_get_many") edge_err_t edge_kv_get_many(edge_store_t store, const edge_buf_t *keys, uint32_t n,
                                                       edge_kv_list_t *out);
EDGE_IMPORT("kv_set_many") edge_err_t edge_kv_set_many(edge_store_t store, const edge_kv_entry_t *entries, uint32_t n);
EDGE_IMPORT("kv_delete_many") edge_err_t edge_kv_delete_many(edge_store_t store, const edge_buf_t *keys, uint32_t n);
/* One page of keys starting with prefix. cursor_len 0 = first page. *next gets the next cursor,
 * len 0 on the last page. limit 0 = the host's default page size. */
EDGE_IMPORT("kv_list_keys") edge_err_t edge_kv_list_keys(edge_store_t store, const char *prefix, uint32_t prefix_len,
                                                         const char *cursor, uint32_t cursor_len, uint32_t limit,
                                                         edge_list_t *out, edge_buf_t *next);
EDGE_IMPORT("kv_close") edge_err_t edge_kv_close(edge_store_t store);

/* ---- component variables -------------------------------------------------------------------- */
/* The value of a component variable (spin.toml [component.<id>] variables, templates resolved);
 * EDGE_ERR_NOT_FOUND if the component declares no such variable. */
EDGE_IMPORT("var_get") edge_err_t edge_var_get(const char *name, uint32_t name_len, edge_buf_t *out);

/* ---- diagnostics ---------------------------------------------------------------------------- */
/* The message of the last error any host call returned in this request (empty if none). */
EDGE_IMPORT("last_error") edge_err_t edge_last_error(edge_buf_t *out);

#undef EDGE_IMPORT

/* ---- typed helpers -------------------------------------------------------------------------- */
static inline edge_err_t edge_resp_add_header_str(const char *name, const char *value) {
    return edge_resp_add_header(name, (uint32_t)strlen(name), value, (uint32_t)strlen(value));
}
static inline edge_err_t edge_resp_write_str(const char *s) {
    return edge_resp_write(s, (uint32_t)strlen(s));
}
static inline edge_err_t edge_kv_open_str(const char *label, edge_store_t *out) {
    return edge_kv_open(label, (uint32_t)strlen(label), out);
}
static inline edge_err_t edge_var_get_str(const char *name, edge_buf_t *out) {
    return edge_var_get(name, (uint32_t)strlen(name), out);
}
static inline edge_err_t edge_kv_open_default(edge_store_t *out) {
    return edge_kv_open_str("default", out);
}
static inline void edge_buf_free(edge_buf_t *b) {
    free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
}

/* ---- exports ------------------------------------------------------------------------------- */
/* The handler: build the response with the resp_* calls, return 0. Non-zero answers 500. */
int32_t edge_http_handle(void);

#ifdef EDGE_IMPLEMENTATION
/* The host calls this to place results into guest memory; 0 (NULL) means out of memory. */
__attribute__((export_name("edge_alloc"))) void *edge_alloc(uint32_t size) {
    return malloc(size == 0 ? 1 : size);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* EDGE_H */
