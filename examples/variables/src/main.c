/* variables: reads component variables with var_get (templates already resolved by the gateway).
 *
 *   GET /          greeting and api_url, and only the LENGTH of the secret api_token
 *   GET /missing   var_get of a variable the component does not declare: 404
 *   GET /trap      reads api_token, then traps (the gateway answers 500 and must not log the secret) */
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include <stdio.h>

static void write_var(const char *label, const char *name) {
    edge_buf_t value;
    edge_resp_write_str(label);
    if (edge_var_get_str(name, &value) == EDGE_OK) {
        edge_resp_write(value.ptr, value.len);
        edge_buf_free(&value);
    } else {
        edge_resp_write_str("(unset)");
    }
    edge_resp_write_str("\n");
}

int32_t edge_http_handle(void) {
    edge_buf_t uri, value;
    if (edge_req_uri(&uri) != EDGE_OK) return 1;
    edge_resp_add_header_str("content-type", "text/plain");
    if (uri.len >= 5 && memcmp(uri.ptr, "/trap", 5) == 0) {
        if (edge_var_get_str("api_token", &value) == EDGE_OK) {
            fprintf(stderr, "about to fail with a token of %u bytes\n", value.len);
        }
        __builtin_trap();
    } else if (uri.len >= 8 && memcmp(uri.ptr, "/missing", 8) == 0) {
        edge_err_t rc = edge_var_get_str("not_declared", &value);
        edge_resp_set_status(rc == EDGE_ERR_NOT_FOUND ? 404 : 500);
        edge_resp_write_str(rc == EDGE_ERR_NOT_FOUND ? "no variable not_declared\n" : "unexpected\n");
    } else {
        write_var("greeting: ", "greeting");
        write_var("api_url: ", "api_url");
        char line[64];
        if (edge_var_get_str("api_token", &value) == EDGE_OK) {
            snprintf(line, sizeof line, "api_token: %u bytes (secret, not shown)\n", value.len);
            edge_buf_free(&value);
        } else {
            snprintf(line, sizeof line, "api_token: (unset)\n");
        }
        edge_resp_write_str(line);
    }
    edge_buf_free(&uri);
    return 0;
}
