/* two-stores: one module, two components (see spin.toml). Each component reads its own store label
 * from the component variable "own_store" and the other component's from "peer_store".
 *
 *   GET  <route>/<key>        the key from the component's own store (404 if absent)
 *   PUT  <route>/<key>        stores the request body under <key> in the own store
 *   GET  <route>/peek/<key>   tries to open the OTHER component's store: the manifest does not grant it,
 *                             so kv_open fails with access-denied and the answer is 403 with the error
 *
 * <route> is the component's route (/orders or /audit); the rest of the path arrives in the
 * spin-path-info header. */
#define EDGE_IMPLEMENTATION
#include "edge.h"

static void answer(uint32_t status, const char *text) {
    edge_resp_set_status(status);
    edge_resp_add_header_str("content-type", "text/plain");
    edge_resp_write_str(text);
}

/* Answers a failed kv_open: the Spin error variant, then edge's message (last_error). */
static void open_failed(edge_err_t code, edge_buf_t *label) {
    uint32_t status = 500;
    const char *variant = "other";
    switch (code) {
        case EDGE_ERR_ACCESS_DENIED: status = 403; variant = "access-denied"; break;
        case EDGE_ERR_NO_SUCH_STORE: status = 404; variant = "no-such-store"; break;
        case EDGE_ERR_STORE_TABLE_FULL: status = 503; variant = "store-table-full"; break;
    }
    edge_buf_t message;
    edge_last_error(&message);
    answer(status, variant);
    edge_resp_write_str(": opening store '");
    edge_resp_write(label->ptr, label->len);
    edge_resp_write_str("': ");
    edge_resp_write(message.ptr, message.len);
    edge_resp_write_str("\n");
    edge_buf_free(&message);
}

static int has_prefix(const edge_buf_t *s, const char *prefix) {
    size_t n = strlen(prefix);
    return s->len >= n && memcmp(s->ptr, prefix, n) == 0;
}

int32_t edge_http_handle(void) {
    edge_buf_t method, path, label;
    if (edge_req_method(&method) != EDGE_OK || edge_req_header("spin-path-info", 14, &path) != EDGE_OK) return 1;
    int peek = has_prefix(&path, "/peek/");
    const char *key = (const char *)path.ptr + (peek ? 6 : 1);
    uint32_t key_len = path.len - (peek ? 6 : (path.len > 0 ? 1 : 0));
    if (path.len == 0 || key_len == 0) {
        answer(400, "usage: GET|PUT <route>/<key>, GET <route>/peek/<key>\n");
        goto done;
    }
    if (edge_var_get_str(peek ? "peer_store" : "own_store", &label) != EDGE_OK) return 1;

    edge_store_t store;
    edge_err_t rc = edge_kv_open((const char *)label.ptr, label.len, &store);
    if (rc != EDGE_OK) {
        open_failed(rc, &label);
    } else if (method.len == 3 && memcmp(method.ptr, "PUT", 3) == 0 && !peek) {
        edge_buf_t body;
        edge_req_body(&body);
        rc = edge_kv_set(store, key, key_len, body.ptr, body.len);
        edge_buf_free(&body);
        answer(rc == EDGE_OK ? 200 : 500, rc == EDGE_OK ? "stored\n" : "write failed\n");
    } else if (method.len == 3 && memcmp(method.ptr, "GET", 3) == 0) {
        edge_buf_t value;
        rc = edge_kv_get(store, key, key_len, &value);
        if (rc == EDGE_OK) {
            answer(200, "");
            edge_resp_write(value.ptr, value.len);
            edge_buf_free(&value);
        } else {
            answer(rc == EDGE_ERR_NOT_FOUND ? 404 : 500, rc == EDGE_ERR_NOT_FOUND ? "not found\n" : "read failed\n");
        }
    } else {
        answer(405, "method not allowed\n");
    }
    edge_buf_free(&label);
done:
    edge_buf_free(&method);
    edge_buf_free(&path);
    return 0;
}
