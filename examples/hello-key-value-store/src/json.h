/* A small JSON validator/minifier that reproduces JavaScript's JSON.stringify(JSON.parse(text)) for
 * text decoded the way TextDecoder does (UTF-8, invalid bytes -> U+FFFD, leading BOM dropped). */
#ifndef HELLO_KV_JSON_H
#define HELLO_KV_JSON_H

#include <stddef.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int oom;
} jbuf_t;

void jbuf_free(jbuf_t *b);

typedef enum {
    JSON_OK = 0,
    JSON_SYNTAX = 1,  /* JSON.parse would throw */
    JSON_NOMEM = 2
} json_status_t;

/* Minifies `text` into *out (compact, like JSON.stringify). When the top-level value is an object,
 * *first_truthy / *last_truthy tell whether its firstName / lastName members are truthy in JS. */
json_status_t json_minify(const unsigned char *text, size_t len, jbuf_t *out, int *first_truthy, int *last_truthy);

/* 1 if `text` is already exactly what json_minify would write (so it can be sent as it is), 0 if it is not or
 * if this quick check cannot tell (then json_minify decides). A conservative subset: no whitespace, strings of
 * printable ASCII without escapes, integers of at most 15 digits, true/false/null, no integer-like or repeated
 * object keys, nesting of at most 64. Allocates nothing. */
int json_is_minified(const unsigned char *text, size_t len);
#endif
