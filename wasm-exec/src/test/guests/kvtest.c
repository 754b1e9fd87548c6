/* Exercises every key-value ABI call and reports each result as a "name=value" line, so a host test can
 * compare the whole transcript. Routes:
 *   /all            the full script against store "default"
 *   /open/<label>   opens <label>; answers "code=<n> error=<last_error>" (capability test)
 *   /openmany       opens "default" until kv_open fails; answers "opened=<n> code=<c>"
 *   /badutf8        kv_get with a key that is not UTF-8
 *   /badptr         passes an out-of-range pointer to the host (must trap)
 *   /big/<n>        writes an n-byte body in 1 KiB chunks (response limit test)
 *   /fill           set_many of x-count keys "<x-prefix><i>" (value "v<i>"), 100 per call
 *   /pages          pages through x-prefix with page size x-limit: one key per line, then "pages=<n>"
 *   /cas-round      one compare-and-swap round against x-key (see cas_round)
 *   /cas-inc        x-count compare-and-swap increments of x-key, retried on cas-failed
 * Parameters come in request headers (x-...), so no URI parsing is needed.
 */
#define EDGE_IMPLEMENTATION
#include "edge.h"
#include <stdio.h>

static void out(const char *name, const char *fmt_value) {
    edge_resp_write_str(name);
    edge_resp_write_str("=");
    edge_resp_write_str(fmt_value);
    edge_resp_write_str("\n");
}

static void out_code(const char *name, edge_err_t code) {
    char text[16];
    snprintf(text, sizeof text, "%d", code);
    out(name, text);
}

static void out_buf(const char *name, edge_err_t code, edge_buf_t *buf) {
    char text[16];
    snprintf(text, sizeof text, "%d:", code);
    edge_resp_write_str(name);
    edge_resp_write_str("=");
    edge_resp_write_str(text);
    if (code == EDGE_OK) {
        edge_resp_write(buf->ptr, buf->len);
        edge_buf_free(buf);
    }
    edge_resp_write_str("\n");
}

static void out_list(const char *name, edge_err_t code, edge_list_t *list) {
    char text[16];
    snprintf(text, sizeof text, "%d:", code);
    edge_resp_write_str(name);
    edge_resp_write_str("=");
    edge_resp_write_str(text);
    if (code == EDGE_OK) {
        for (uint32_t i = 0; i < list->len; i++) {
            if (i) edge_resp_write_str(",");
            edge_resp_write(list->items[i].ptr, list->items[i].len);
        }
        free(list->items);
    }
    edge_resp_write_str("\n");
}

static void out_last_error(const char *name) {
    edge_buf_t msg;
    out_buf(name, edge_last_error(&msg), &msg);
}

static edge_buf_t str(const char *s) {
    edge_buf_t b = {(uint8_t *)s, (uint32_t)strlen(s)};
    return b;
}

#define KEY(s) s, (uint32_t)strlen(s)

static void run_all(void) {
    edge_store_t st;
    edge_err_t rc = edge_kv_open_default(&st);
    out_code("open", rc);
    if (rc) return;
    edge_buf_t buf;
    uint32_t flag;
    int64_t n;
    edge_list_t list;

    out_code("set", edge_kv_set(st, KEY("alpha"), "one", 3));
    out_buf("get", edge_kv_get(st, KEY("alpha"), &buf), &buf);
    out_code("set.binary", edge_kv_set(st, KEY("bin"), "\0\1\2\377", 4));
    rc = edge_kv_get(st, KEY("bin"), &buf);
    char bin[32];
    snprintf(bin, sizeof bin, "%d:%u:%d%d%d%d", rc, buf.len, buf.ptr[0], buf.ptr[1], buf.ptr[2], buf.ptr[3]);
    out("get.binary", bin);
    edge_buf_free(&buf);
    out_buf("get.missing", edge_kv_get(st, KEY("nope"), &buf), &buf);
    rc = edge_kv_exists(st, KEY("alpha"), &flag);
    out_code("exists", rc == 0 ? (int)flag : -rc);
    rc = edge_kv_exists(st, KEY("nope"), &flag);
    out_code("exists.missing", rc == 0 ? (int)flag : -rc);
    out_code("delete", edge_kv_delete(st, KEY("bin")));
    out_code("delete.missing", edge_kv_delete(st, KEY("bin")));
    out_list("get_keys", edge_kv_get_keys(st, &list), &list);

    rc = edge_kv_increment(st, KEY("counter"), 5, &n);
    out_code("increment", rc == 0 ? (int)n : -rc);
    rc = edge_kv_increment(st, KEY("counter"), -2, &n);
    out_code("increment.again", rc == 0 ? (int)n : -rc);
    out_buf("counter.text", edge_kv_get(st, KEY("counter"), &buf), &buf);
    rc = edge_kv_increment(st, KEY("alpha"), 1, &n);
    out_code("increment.not_a_number", rc);

    edge_cas_t cas;
    out_code("cas.new", edge_kv_cas_new(st, KEY("alpha"), &cas));
    out_buf("cas.current", edge_kv_cas_current(cas, &buf), &buf);
    out_code("cas.swap", edge_kv_cas_swap(cas, "two", 3));
    out_buf("cas.after", edge_kv_get(st, KEY("alpha"), &buf), &buf);
    out_code("cas.new2", edge_kv_cas_new(st, KEY("alpha"), &cas));
    edge_kv_set(st, KEY("alpha"), "changed", 7);
    out_code("cas.conflict", edge_kv_cas_swap(cas, "three", 5));
    out_buf("cas.kept", edge_kv_get(st, KEY("alpha"), &buf), &buf);
    out_code("cas.new.absent", edge_kv_cas_new(st, KEY("fresh"), &cas));
    out_buf("cas.current.absent", edge_kv_cas_current(cas, &buf), &buf);
    out_code("cas.swap.absent", edge_kv_cas_swap(cas, "new", 3));
    out_code("cas.swap.released", edge_kv_cas_swap(cas, "x", 1));
    out_code("cas.new3", edge_kv_cas_new(st, KEY("fresh"), &cas));
    out_code("cas.drop", edge_kv_cas_drop(cas));

    edge_kv_entry_t entries[3] = {
        {str("p:1"), str("v1")}, {str("p:2"), str("v2")}, {str("p:3"), str("v3")}};
    out_code("set_many", edge_kv_set_many(st, entries, 3));
    edge_buf_t keys[3] = {str("p:3"), str("p:missing"), str("p:1")};
    edge_kv_list_t kvs;
    rc = edge_kv_get_many(st, keys, 3, &kvs);
    edge_resp_write_str("get_many=");
    for (uint32_t i = 0; rc == 0 && i < kvs.len; i++) {
        if (i) edge_resp_write_str(",");
        edge_resp_write(kvs.items[i].key.ptr, kvs.items[i].key.len);
        edge_resp_write_str(":");
        edge_resp_write(kvs.items[i].value.ptr, kvs.items[i].value.len);
    }
    if (rc == 0) free(kvs.items);
    edge_resp_write_str("\n");

    /* page through "p:" two keys at a time */
    edge_buf_t cursor = {NULL, 0};
    int page = 0;
    do {
        edge_buf_t next;
        rc = edge_kv_list_keys(st, KEY("p:"), (const char *)cursor.ptr, cursor.len, 2, &list, &next);
        char name[32];
        snprintf(name, sizeof name, "list_keys.%d", page++);
        out_list(name, rc, &list);
        edge_buf_free(&cursor);
        cursor = next;
    } while (rc == 0 && cursor.len > 0 && page < 10);

    edge_buf_t doomed[2] = {str("p:1"), str("p:2")};
    out_code("delete_many", edge_kv_delete_many(st, doomed, 2));
    out_list("list_keys.after", edge_kv_list_keys(st, KEY("p:"), NULL, 0, 0, &list, &buf), &list);

    out_code("close", edge_kv_close(st));
    out_buf("get.closed", edge_kv_get(st, KEY("alpha"), &buf), &buf);
    out_last_error("get.closed.error");
}

/* A request header as a NUL-terminated string (caller frees), or NULL. */
static char *param(const char *name) {
    edge_buf_t b;
    if (edge_req_header(name, (uint32_t)strlen(name), &b) != EDGE_OK) return NULL;
    char *s = malloc(b.len + 1);
    memcpy(s, b.ptr, b.len);
    s[b.len] = 0;
    edge_buf_free(&b);
    return s;
}

static long param_long(const char *name, long fallback) {
    char *s = param(name);
    long v = s ? strtol(s, NULL, 10) : fallback;
    free(s);
    return v;
}

static void fill(edge_store_t st) {
    char *prefix = param("x-prefix");
    long count = param_long("x-count", 0);
    static char keys[100][96], values[100][24];
    edge_kv_entry_t entries[100];
    long done = 0;
    edge_err_t rc = EDGE_OK;
    while (rc == EDGE_OK && done < count) {
        uint32_t n = 0;
        for (; n < 100 && done < count; n++, done++) {
            snprintf(keys[n], sizeof keys[n], "%s%ld", prefix ? prefix : "", done);
            snprintf(values[n], sizeof values[n], "v%ld", done);
            entries[n].key = str(keys[n]);
            entries[n].value = str(values[n]);
        }
        rc = edge_kv_set_many(st, entries, n);
    }
    out_code("fill", rc);
    free(prefix);
}

static void pages(edge_store_t st) {
    char *prefix = param("x-prefix");
    uint32_t limit = (uint32_t)param_long("x-limit", 0);
    edge_buf_t cursor = {NULL, 0};
    edge_list_t list;
    edge_err_t rc;
    int count = 0;
    do {
        edge_buf_t next;
        rc = edge_kv_list_keys(st, prefix, prefix ? (uint32_t)strlen(prefix) : 0, (const char *)cursor.ptr,
                               cursor.len, limit, &list, &next);
        edge_buf_free(&cursor);
        if (rc != EDGE_OK) break;
        count++;
        for (uint32_t i = 0; i < list.len; i++) {
            edge_resp_write(list.items[i].ptr, list.items[i].len);
            edge_resp_write_str("\n");
        }
        free(list.items);
        cursor = next;
    } while (cursor.len > 0 && count < 100000);
    out_code("pages", rc == EDGE_OK ? count : -rc);
    free(prefix);
}

/* One round of a CAS race among x-parties guests: read x-key (cas new + current), check in at the
 * barrier counter x-barrier and wait until every party has read, then swap in x-value. Because every
 * party reads before any party swaps, exactly one swap may win. Answers "read=<value>|<absent>",
 * "barrier=<ok|timeout>" and "swap=<code>". */
static void cas_round(edge_store_t st) {
    char *key = param("x-key"), *barrier = param("x-barrier"), *value = param("x-value");
    long parties = param_long("x-parties", 2);
    edge_cas_t cas;
    edge_buf_t buf;
    edge_err_t rc = edge_kv_cas_new(st, KEY(key), &cas);
    if (rc != EDGE_OK) {
        out_code("cas.new", rc);
        return;
    }
    rc = edge_kv_cas_current(cas, &buf);
    edge_resp_write_str("read=");
    if (rc == EDGE_OK) {
        edge_resp_write(buf.ptr, buf.len);
        edge_buf_free(&buf);
    } else {
        edge_resp_write_str(rc == EDGE_ERR_NOT_FOUND ? "<absent>" : "<error>");
    }
    edge_resp_write_str("\n");
    int64_t arrived = 0;
    edge_kv_increment(st, KEY(barrier), 1, &arrived);
    long polls = 0;
    while (arrived < parties && polls++ < 50000000L) {
        if (edge_kv_get(st, KEY(barrier), &buf) == EDGE_OK) {
            char text[24] = {0};
            memcpy(text, buf.ptr, buf.len < 23 ? buf.len : 23);
            arrived = strtoll(text, NULL, 10);
            edge_buf_free(&buf);
        }
    }
    out("barrier", arrived >= parties ? "ok" : "timeout");
    out_code("swap", edge_kv_cas_swap(cas, value, (uint32_t)strlen(value)));
    free(key);
    free(barrier);
    free(value);
}

/* x-count increments of the decimal counter x-key by compare-and-swap, each retried until its swap
 * wins. Answers "retries=<n>" (swaps that lost) and "final=<code>". */
static void cas_inc(edge_store_t st) {
    char *key = param("x-key");
    long count = param_long("x-count", 1);
    long retries = 0;
    edge_err_t rc = EDGE_OK;
    for (long i = 0; i < count && rc == EDGE_OK; i++) {
        for (;;) {
            edge_cas_t cas;
            edge_buf_t buf;
            if ((rc = edge_kv_cas_new(st, KEY(key), &cas)) != EDGE_OK) break;
            long long current = 0;
            if (edge_kv_cas_current(cas, &buf) == EDGE_OK) {
                char text[24] = {0};
                memcpy(text, buf.ptr, buf.len < 23 ? buf.len : 23);
                current = strtoll(text, NULL, 10);
                edge_buf_free(&buf);
            }
            char next[24];
            snprintf(next, sizeof next, "%lld", current + 1);
            rc = edge_kv_cas_swap(cas, next, (uint32_t)strlen(next));
            if (rc != EDGE_ERR_CAS_FAILED) break;
            retries++;
        }
    }
    char text[24];
    snprintf(text, sizeof text, "%ld", retries);
    out("retries", text);
    out_code("final", rc);
    free(key);
}

static int starts_with(edge_buf_t *s, const char *prefix) {
    size_t n = strlen(prefix);
    return s->len >= n && memcmp(s->ptr, prefix, n) == 0;
}

int32_t edge_http_handle(void) {
    edge_buf_t uri;
    edge_req_uri(&uri);
    if (uri.len == 4 && memcmp(uri.ptr, "/all", 4) == 0) {
        run_all();
    } else if (starts_with(&uri, "/open/")) {
        edge_store_t st;
        edge_err_t rc = edge_kv_open((const char *)uri.ptr + 6, uri.len - 6, &st);
        out_code("code", rc);
        out_last_error("error");
    } else if (starts_with(&uri, "/openmany")) {
        edge_store_t st;
        edge_err_t rc = EDGE_OK;
        int opened = 0;
        while (opened < 1000 && (rc = edge_kv_open_default(&st)) == EDGE_OK) opened++;
        char text[64];
        snprintf(text, sizeof text, "opened=%d code=%d", opened, rc);
        edge_resp_write_str(text);
    } else if (starts_with(&uri, "/badutf8")) {
        edge_store_t st;
        edge_buf_t buf;
        edge_kv_open_default(&st);
        out_buf("get", edge_kv_get(st, "\xff\xfe", 2, &buf), &buf);
        out_last_error("error");
    } else if (starts_with(&uri, "/ttl/") || starts_with(&uri, "/ttl-get")) {
        /* /ttl/<ms>: set "ttl-key" to "v" expiring after <ms>; /ttl-get: read it back */
        edge_store_t st;
        edge_buf_t buf;
        edge_kv_open_default(&st);
        if (starts_with(&uri, "/ttl/")) {
            long long ms = strtoll((const char *)uri.ptr + 5, NULL, 10);
            out_code("set_ttl", edge_kv_set_ttl(st, KEY("ttl-key"), "v", 1, ms));
            out_last_error("error");
        }
        out_buf("get", edge_kv_get(st, KEY("ttl-key"), &buf), &buf);
    } else if (starts_with(&uri, "/badptr")) {
        edge_req_method((edge_buf_t *)(uintptr_t)0xFFFFFFF0u);
        edge_resp_write_str("survived");
    } else if (starts_with(&uri, "/big/")) {
        long n = strtol((const char *)uri.ptr + 5, NULL, 10); /* stops at the end of the digits */
        static char chunk[1024];
        memset(chunk, 'x', sizeof chunk);
        while (n > 0) {
            uint32_t part = n > 1024 ? 1024 : (uint32_t)n;
            edge_resp_write(chunk, part);
            n -= part;
        }
    } else if (starts_with(&uri, "/fill") || starts_with(&uri, "/pages") || starts_with(&uri, "/cas-")) {
        edge_store_t st;
        edge_err_t rc = edge_kv_open_default(&st);
        if (rc != EDGE_OK) {
            out_code("open", rc);
        } else if (starts_with(&uri, "/fill")) {
            fill(st);
        } else if (starts_with(&uri, "/pages")) {
            pages(st);
        } else if (starts_with(&uri, "/cas-round")) {
            cas_round(st);
        } else {
            cas_inc(st);
        }
    } else {
        edge_resp_set_status(404);
    }
    edge_buf_free(&uri);
    return 0;
}
