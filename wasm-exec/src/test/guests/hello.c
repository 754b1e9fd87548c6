/* Trivial guest: answers 200 "hello <method> <uri>" and echoes a header, the body, an env var and a
 * component variable. */
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include <stdio.h>

int32_t edge_http_handle(void) {
    edge_buf_t method, uri, body, hdr;
    edge_req_method(&method);
    edge_req_uri(&uri);
    edge_req_body(&body);
    edge_resp_set_status(200);
    edge_resp_add_header_str("content-type", "text/plain");
    if (edge_req_header("X-Echo", 6, &hdr) == EDGE_OK) {
        edge_resp_add_header("x-echo", 6, (const char *)hdr.ptr, hdr.len);
        edge_buf_free(&hdr);
    }
    edge_resp_write_str("hello ");
    edge_resp_write(method.ptr, method.len);
    edge_resp_write_str(" ");
    edge_resp_write(uri.ptr, uri.len);
    edge_resp_write_str("\nheaders=");
    char num[16];
    snprintf(num, sizeof num, "%u", edge_req_header_count());
    edge_resp_write_str(num);
    edge_resp_write_str("\nbody=");
    edge_resp_write(body.ptr, body.len);
    const char *greeting = getenv("GREETING");
    edge_resp_write_str("\nenv=");
    edge_resp_write_str(greeting ? greeting : "(unset)");
    edge_buf_t var;
    edge_resp_write_str("\nvar=");
    if (edge_var_get_str("api_base", &var) == EDGE_OK) {
        edge_resp_write(var.ptr, var.len);
        edge_buf_free(&var);
    }
    char missing[16];
    snprintf(missing, sizeof missing, "%d", edge_var_get_str("nope", &var));
    edge_resp_write_str("\nvar.missing=");
    edge_resp_write_str(missing);
    printf("hello guest served %.*s\n", (int)uri.len, (const char *)uri.ptr);
    fflush(stdout);
    edge_buf_free(&method);
    edge_buf_free(&uri);
    edge_buf_free(&body);
    return 0;
}
