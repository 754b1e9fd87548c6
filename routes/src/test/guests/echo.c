/* Ingress test guest: answers with every request header it sees ("name: value" lines), a blank line,
 * then the exact request body. The status comes from the "x-status" request header (default 200);
 * it always adds the response header "x-multi" twice, to check repeats survive. */
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include <stdlib.h>

int32_t edge_http_handle(void) {
    edge_buf_t status, body, name, value;
    uint32_t code = 200;
    if (edge_req_header("x-status", 8, &status) == EDGE_OK) {
        char digits[8] = {0};
        for (uint32_t i = 0; i < status.len && i < 7; i++) digits[i] = ((const char *)status.ptr)[i];
        code = (uint32_t)atoi(digits);
        edge_buf_free(&status);
    }
    edge_resp_set_status(code);
    edge_resp_add_header_str("content-type", "application/octet-stream");
    edge_resp_add_header_str("x-multi", "1");
    edge_resp_add_header_str("x-multi", "2");
    uint32_t count = edge_req_header_count();
    for (uint32_t i = 0; i < count; i++) {
        if (edge_req_header_at(i, &name, &value) != EDGE_OK) return 1;
        edge_resp_write(name.ptr, name.len);
        edge_resp_write_str(": ");
        edge_resp_write(value.ptr, value.len);
        edge_resp_write_str("\n");
        edge_buf_free(&name);
        edge_buf_free(&value);
    }
    edge_resp_write_str("\n");
    if (edge_req_body(&body) == EDGE_OK) {
        edge_resp_write(body.ptr, body.len);
        edge_buf_free(&body);
    }
    return 0;
}
