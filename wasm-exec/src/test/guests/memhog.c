/* Allocates 1 MiB blocks until malloc fails, then answers 200 "allocated=<MiB>" (memory.grow past the
 * instance's cap must fail, so malloc returns NULL instead of the JVM running out of heap). */
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include <stdio.h>

int32_t edge_http_handle(void) {
    unsigned mib = 0;
    void *head = NULL;
    for (;;) {
        void **block = malloc(1 << 20);
        if (block == NULL) break;
        block[0] = head; /* chain the blocks so they can be freed */
        head = block;
        mib++;
    }
    char text[64];
    snprintf(text, sizeof text, "allocated=%u", mib);
    while (head) {
        void *next = ((void **)head)[0];
        free(head);
        head = next;
    }
    edge_resp_write_str(text);
    return 0;
}
