/* HTTP-executor guest for component files: GET with X-Path answers the file's content (200), or 404 with
 * "errno=<n>"; X-Write: 1 tries to open it for writing instead (200 "written" or 403 "errno=<n>"). */
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

int32_t edge_http_handle(void) {
    edge_buf_t path_buf, write_buf;
    char path[512] = {0};
    if (edge_req_header("X-Path", 6, &path_buf) == EDGE_OK) {
        size_t n = path_buf.len < sizeof path - 1 ? path_buf.len : sizeof path - 1;
        memcpy(path, path_buf.ptr, n);
        edge_buf_free(&path_buf);
    }
    int writing = 0;
    if (edge_req_header("X-Write", 7, &write_buf) == EDGE_OK) {
        writing = write_buf.len > 0;
        edge_buf_free(&write_buf);
    }
    char msg[64];
    errno = 0;
    FILE *f = fopen(path, writing ? "w" : "r");
    if (f == NULL) {
        edge_resp_set_status(writing ? 403 : 404);
        snprintf(msg, sizeof msg, "errno=%d", errno);
        edge_resp_write_str(msg);
        return 0;
    }
    edge_resp_set_status(200);
    if (writing) {
        fclose(f);
        edge_resp_write_str("written");
        return 0;
    }
    char buf[1024];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        edge_resp_write(buf, n);
    }
    fclose(f);
    return 0;
}
