/* Concurrency probe: stores the request's x-marker header in a global, spins a little, and checks the
 * global still holds it. If two threads ever shared this instance, a marker would be overwritten and
 * the guest answers 409. Also counts requests served by this instance (x-served header). */
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include <stdio.h>

static char current[64];
static volatile unsigned long sink;
static unsigned served;

int32_t edge_http_handle(void) {
    edge_buf_t marker;
    if (edge_req_header("x-marker", 8, &marker) != EDGE_OK || marker.len >= sizeof current) {
        edge_resp_set_status(400);
        return 0;
    }
    memcpy(current, marker.ptr, marker.len);
    current[marker.len] = 0;
    for (unsigned long i = 0; i < 20000; i++) {
        sink += i; /* give another thread time to interfere */
    }
    int intact = marker.len == strlen(current) && memcmp(current, marker.ptr, marker.len) == 0;
    served++;
    char count[16];
    snprintf(count, sizeof count, "%u", served);
    edge_resp_add_header_str("x-served", count);
    edge_resp_set_status(intact ? 200 : 409);
    edge_resp_write(marker.ptr, marker.len);
    edge_buf_free(&marker);
    return 0;
}
