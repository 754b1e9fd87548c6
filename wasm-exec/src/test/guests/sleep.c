/* A slow guest that uses no CPU while slow: sleeps for the milliseconds given after the last '/' of the URI
 * ("/sleep/250"; WASI poll_oneoff on a clock, a real sleep in the host), then answers 200 "slept=<ms>".
 * Admission-control tests fill execution slots with it. */
#define _POSIX_C_SOURCE 199309L
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int32_t edge_http_handle(void) {
    edge_buf_t uri;
    edge_req_uri(&uri);
    long ms = 0;
    for (size_t i = uri.len; i > 0; i--) {
        if (uri.ptr[i - 1] == '/') {
            char digits[16] = {0};
            size_t n = uri.len - i < sizeof digits - 1 ? uri.len - i : sizeof digits - 1;
            for (size_t j = 0; j < n; j++) digits[j] = (char)uri.ptr[i + j];
            ms = strtol(digits, NULL, 10);
            break;
        }
    }
    edge_buf_free(&uri);
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
    char text[32];
    snprintf(text, sizeof text, "slept=%ld", ms);
    edge_resp_write_str(text);
    return 0;
}
