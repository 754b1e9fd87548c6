/* The Fermyon "Using the Key Value Store" tutorial handler (hello-key-value-store), in C on the edge
 * guest ABI. It behaves like the tutorial's JavaScript on itty-router's AutoRouter:
 *
 *   POST /set/:key  body must be JSON; an object with truthy firstName and lastName is stored at :key,
 *                   re-serialized compactly (JSON.stringify), answering 200 with an empty body; any other
 *                   JSON answers 400 "Invalid payload received.\nExpecting {...}". Malformed JSON answers
 *                   400 with the same text (the JavaScript would throw, which AutoRouter turns into 500).
 *   GET /get/:key   404 with an empty body when the key is absent, else 200 application/json with the
 *                   stored JSON (re-serialized, like JSON.stringify(store.getJson(key))).
 *   anything else   404 {"status":404,"error":"Not Found"} (AutoRouter's default `missing` handler).
 *   key-value error 503 with an empty body: the store is unavailable (e.g. the Redis primary is down),
 *                   the request may be retried; the message goes to stderr.
 *
 * :key is one raw (not percent-decoded) path segment; trailing slashes are ignored, as in itty-router.
 */
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include "json.h"

#include <stdio.h>

static const char INVALID_PAYLOAD[] =
    "Invalid payload received.\nExpecting {\"firstName\": \"some\", \"lastName\": \"some\"}";

static void respond(uint32_t status, const char *content_type, const void *body, size_t len) {
    edge_resp_set_status(status);
    if (content_type) edge_resp_add_header_str("content-type", content_type);
    if (len) edge_resp_write(body, (uint32_t)len);
}

static void kv_failure(const char *op) {
    edge_buf_t msg;
    if (edge_last_error(&msg) == EDGE_OK) {
        fprintf(stderr, "key-value %s failed: %.*s\n", op, (int)msg.len, (const char *)msg.ptr);
        edge_buf_free(&msg);
    }
    respond(503, NULL, NULL, 0);
}

static void not_found(void) {
    static const char body[] = "{\"status\":404,\"error\":\"Not Found\"}";
    respond(404, "application/json; charset=utf-8", body, sizeof body - 1);
}

/* Matches "<prefix><key>" followed only by slashes; sets key/key_len to the raw segment. */
static int match_route(const char *path, size_t path_len, const char *prefix, const char **key, size_t *key_len) {
    size_t n = strlen(prefix);
    if (path_len <= n || memcmp(path, prefix, n) != 0) return 0;
    size_t end = n;
    while (end < path_len && path[end] != '/') end++;
    if (end == n) return 0;
    for (size_t i = end; i < path_len; i++) {
        if (path[i] != '/') return 0;
    }
    *key = path + n;
    *key_len = end - n;
    return 1;
}

static void handle_get(const char *key, size_t key_len) {
    edge_store_t store;
    if (edge_kv_open_default(&store) != EDGE_OK) {
        kv_failure("open");
        return;
    }
    edge_buf_t value;
    edge_err_t rc = edge_kv_get(store, key, (uint32_t)key_len, &value);
    if (rc == EDGE_ERR_NOT_FOUND) {
        respond(404, NULL, NULL, 0);
    } else if (rc != EDGE_OK) {
        kv_failure("get");
    } else if (json_is_minified(value.ptr, value.len)) {
        /* what /set stored (the usual case): already JSON.stringify's text, sent without re-serializing */
        respond(200, "application/json", value.ptr, value.len);
        edge_buf_free(&value);
    } else {
        jbuf_t json = {0};
        int first, last;
        if (json_minify(value.ptr, value.len, &json, &first, &last) == JSON_OK) {
            respond(200, "application/json", json.data, json.len);
        } else {
            fprintf(stderr, "stored value of key is not JSON\n");
            respond(500, NULL, NULL, 0);
        }
        jbuf_free(&json);
        edge_buf_free(&value);
    }
    edge_kv_close(store);
}

static void handle_set(const char *key, size_t key_len) {
    edge_buf_t body;
    edge_req_body(&body);
    jbuf_t json = {0};
    int first = 0, last = 0;
    json_status_t status = json_minify(body.ptr, body.len, &json, &first, &last);
    edge_buf_free(&body);
    if (status == JSON_NOMEM) {
        jbuf_free(&json);
        respond(500, NULL, NULL, 0);
        return;
    }
    if (status != JSON_OK || !first || !last) {
        jbuf_free(&json);
        respond(400, "text/plain;charset=UTF-8", INVALID_PAYLOAD, sizeof INVALID_PAYLOAD - 1);
        return;
    }
    edge_store_t store;
    if (edge_kv_open_default(&store) != EDGE_OK) {
        jbuf_free(&json);
        kv_failure("open");
        return;
    }
    if (edge_kv_set(store, key, (uint32_t)key_len, json.data, (uint32_t)json.len) != EDGE_OK) {
        kv_failure("set");
    } else {
        respond(200, NULL, NULL, 0);
    }
    edge_kv_close(store);
    jbuf_free(&json);
}

int32_t edge_http_handle(void) {
    edge_buf_t method, uri;
    edge_req_method(&method);
    edge_req_uri(&uri);
    const char *path = (const char *)uri.ptr;
    size_t path_len = 0;
    while (path_len < uri.len && path[path_len] != '?' && path[path_len] != '#') path_len++;
    const char *key;
    size_t key_len;
    int is_get = method.len == 3 && memcmp(method.ptr, "GET", 3) == 0;
    int is_post = method.len == 4 && memcmp(method.ptr, "POST", 4) == 0;
    if (is_get && match_route(path, path_len, "/get/", &key, &key_len)) {
        handle_get(key, key_len);
    } else if (is_post && match_route(path, path_len, "/set/", &key, &key_len)) {
        handle_set(key, key_len);
    } else {
        not_found();
    }
    edge_buf_free(&method);
    edge_buf_free(&uri);
    return 0;
}
