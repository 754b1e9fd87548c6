/*
 * Serves the component's files (mounted read-only by `files` in spin.toml; each file under static/ appears at
 * /static/...) with plain stdio, through the edge HTTP guest ABI. GET / and GET /index.html answer
 * /static/index.html. The site name comes from the component variable `site_name` (var_get).
 * Paths with ".." are refused here too, though the runtime already keeps the guest inside its mounted files.
 */
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include <stdio.h>
#include <string.h>

static const char *content_type(const char *path) {
    const char *dot = strrchr(path, '.');
    if (dot == NULL) return "application/octet-stream";
    if (strcmp(dot, ".html") == 0) return "text/html; charset=utf-8";
    if (strcmp(dot, ".css") == 0) return "text/css; charset=utf-8";
    if (strcmp(dot, ".txt") == 0) return "text/plain; charset=utf-8";
    if (strcmp(dot, ".json") == 0) return "application/json";
    return "application/octet-stream";
}

static int32_t not_found(void) {
    edge_resp_set_status(404);
    edge_resp_add_header_str("content-type", "text/plain; charset=utf-8");
    edge_resp_write_str("not found\n");
    return 0;
}

int32_t edge_http_handle(void) {
    /* the wildcard remainder of the route "/..." (the routing layer's spin-path-info header) */
    char info[512] = "/";
    edge_buf_t buf;
    if (edge_req_header("spin-path-info", 14, &buf) == EDGE_OK) {
        if (buf.len > 0 && buf.len < sizeof info) {
            memcpy(info, buf.ptr, buf.len);
            info[buf.len] = '\0';
        }
        edge_buf_free(&buf);
    }
    if (strstr(info, "..") != NULL) {
        return not_found();
    }
    char path[600];
    snprintf(path, sizeof path, "/static%s", strcmp(info, "/") == 0 ? "/index.html" : info);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return not_found();
    }
    edge_resp_set_status(200);
    edge_resp_add_header_str("content-type", content_type(path));
    if (edge_var_get("site_name", 9, &buf) == EDGE_OK) {
        edge_resp_add_header("x-site-name", 11, (const char *)buf.ptr, buf.len);
        edge_buf_free(&buf);
    }
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        edge_resp_write(chunk, (uint32_t)n);
    }
    fclose(f);
    return 0;
}
