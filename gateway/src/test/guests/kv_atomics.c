/* Test guest for the fleet tests: the key-value atomics of the default store over HTTP.
 *
 *   POST /incr/:key[?by=N]       kv_increment by N (default 1); 200, body = the new value in decimal
 *   POST /cas/:key[?expect=V]    compare-and-swap to the request body: kv_cas_new reads the current value;
 *                                if it is not V (or, without expect, if the key exists) 409 "mismatch";
 *                                otherwise kv_cas_swap: 200 "swapped" or 409 "cas-failed"
 *   GET  /raw/:key               the stored bytes (200) or 404
 *   key-value error              500, body = last_error
 *
 * :key and V are used verbatim (no percent-decoding): tests use plain ASCII.
 */
#define EDGE_IMPLEMENTATION
#include "edge.h"

#include <stdio.h>
#include <stdlib.h>

static void respond(uint32_t status, const void *body, size_t len) {
    edge_resp_set_status(status);
    edge_resp_add_header_str("content-type", "text/plain");
    if (len) edge_resp_write(body, (uint32_t)len);
}

static void respond_str(uint32_t status, const char *body) { respond(status, body, strlen(body)); }

static void kv_failure(void) {
    edge_buf_t msg;
    if (edge_last_error(&msg) == EDGE_OK) {
        respond(500, msg.ptr, msg.len);
        edge_buf_free(&msg);
    } else {
        respond(500, NULL, 0);
    }
}

/* "<prefix><key>": key runs to the end of the path (query already cut off). */
static int match(const char *path, size_t path_len, const char *prefix, const char **key, size_t *key_len) {
    size_t n = strlen(prefix);
    if (path_len <= n || memcmp(path, prefix, n) != 0) return 0;
    *key = path + n;
    *key_len = path_len - n;
    return memchr(*key, '/', *key_len) == NULL;
}

/* The value of query parameter `name` (first occurrence), or NULL. */
static const char *query_param(const char *query, size_t query_len, const char *name, size_t *len) {
    size_t n = strlen(name);
    size_t i = 0;
    while (i < query_len) {
        size_t end = i;
        while (end < query_len && query[end] != '&') end++;
        if (end - i > n && memcmp(query + i, name, n) == 0 && query[i + n] == '=') {
            *len = end - i - n - 1;
            return query + i + n + 1;
        }
        i = end + 1;
    }
    return NULL;
}

static void handle_incr(edge_store_t store, const char *key, size_t key_len, const char *query, size_t query_len) {
    int64_t delta = 1;
    size_t by_len;
    const char *by = query_param(query, query_len, "by", &by_len);
    if (by) {
        char digits[24];
        if (by_len == 0 || by_len >= sizeof digits) {
            respond_str(400, "bad by");
            return;
        }
        memcpy(digits, by, by_len);
        digits[by_len] = 0;
        delta = strtoll(digits, NULL, 10);
    }
    int64_t value;
    if (edge_kv_increment(store, key, (uint32_t)key_len, delta, &value) != EDGE_OK) {
        kv_failure();
        return;
    }
    char text[24];
    int len = snprintf(text, sizeof text, "%lld", (long long)value);
    respond(200, text, (size_t)len);
}

static void handle_cas(edge_store_t store, const char *key, size_t key_len, const char *query, size_t query_len) {
    size_t expect_len;
    const char *expect = query_param(query, query_len, "expect", &expect_len);
    edge_cas_t cas;
    if (edge_kv_cas_new(store, key, (uint32_t)key_len, &cas) != EDGE_OK) {
        kv_failure();
        return;
    }
    edge_buf_t current;
    edge_err_t rc = edge_kv_cas_current(cas, &current);
    int matches;
    if (rc == EDGE_ERR_NOT_FOUND) {
        matches = expect == NULL;
    } else if (rc == EDGE_OK) {
        matches = expect != NULL && current.len == expect_len && memcmp(current.ptr, expect, expect_len) == 0;
        edge_buf_free(&current);
    } else {
        edge_kv_cas_drop(cas);
        kv_failure();
        return;
    }
    if (!matches) {
        edge_kv_cas_drop(cas);
        respond_str(409, "mismatch");
        return;
    }
    edge_buf_t body;
    edge_req_body(&body);
    rc = edge_kv_cas_swap(cas, body.ptr, body.len);
    edge_buf_free(&body);
    if (rc == EDGE_OK) {
        respond_str(200, "swapped");
    } else if (rc == EDGE_ERR_CAS_FAILED) {
        respond_str(409, "cas-failed");
    } else {
        kv_failure();
    }
}

static void handle_raw(edge_store_t store, const char *key, size_t key_len) {
    edge_buf_t value;
    edge_err_t rc = edge_kv_get(store, key, (uint32_t)key_len, &value);
    if (rc == EDGE_ERR_NOT_FOUND) {
        respond(404, NULL, 0);
    } else if (rc != EDGE_OK) {
        kv_failure();
    } else {
        respond(200, value.ptr, value.len);
        edge_buf_free(&value);
    }
}

int32_t edge_http_handle(void) {
    edge_buf_t method, uri;
    edge_req_method(&method);
    edge_req_uri(&uri);
    const char *path = (const char *)uri.ptr;
    size_t path_len = 0;
    while (path_len < uri.len && path[path_len] != '?') path_len++;
    const char *query = path_len < uri.len ? path + path_len + 1 : path + path_len;
    size_t query_len = path_len < uri.len ? uri.len - path_len - 1 : 0;
    int is_get = method.len == 3 && memcmp(method.ptr, "GET", 3) == 0;
    int is_post = method.len == 4 && memcmp(method.ptr, "POST", 4) == 0;

    const char *key;
    size_t key_len;
    int route = 0;
    if (is_post && match(path, path_len, "/incr/", &key, &key_len)) route = 1;
    else if (is_post && match(path, path_len, "/cas/", &key, &key_len)) route = 2;
    else if (is_get && match(path, path_len, "/raw/", &key, &key_len)) route = 3;

    if (route == 0) {
        respond_str(404, "no such route");
    } else {
        edge_store_t store;
        if (edge_kv_open_default(&store) != EDGE_OK) {
            kv_failure();
        } else {
            if (route == 1) handle_incr(store, key, key_len, query, query_len);
            else if (route == 2) handle_cas(store, key, key_len, query, query_len);
            else handle_raw(store, key, key_len);
            edge_kv_close(store);
        }
    }
    edge_buf_free(&method);
    edge_buf_free(&uri);
    return 0;
}
