/* The smallest useful edge handler: 200 "Hello, edge!" for every request. The gateway benchmark uses it
 * as the "trivial handler" next to raw Undertow. */
#define EDGE_IMPLEMENTATION
#include "edge.h"

int32_t edge_http_handle(void) {
    edge_resp_set_status(200);
    edge_resp_add_header_str("content-type", "text/plain");
    edge_resp_write_str("Hello, edge!\n");
    return 0;
}
