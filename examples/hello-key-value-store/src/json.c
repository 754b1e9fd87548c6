/* JSON.parse + JSON.stringify for the tutorial handler; see json.h. */
#include "json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256

/* ---- growable buffer ------------------------------------------------------------------------ */

void jbuf_free(jbuf_t *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void jbuf_put(jbuf_t *b, const void *data, size_t n) {
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->oom = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void jbuf_putc(jbuf_t *b, char c) { jbuf_put(b, &c, 1); }

static void jbuf_puts(jbuf_t *b, const char *s) { jbuf_put(b, s, strlen(s)); }

/* ---- TextDecoder('utf-8').decode: replacement of invalid sequences, BOM stripped ---------- */

static void utf8_sanitize(const unsigned char *s, size_t n, jbuf_t *out) {
    static const unsigned char replacement[3] = {0xEF, 0xBF, 0xBD};
    size_t i = 0;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3;
    while (i < n) {
        unsigned char b = s[i];
        int need;
        unsigned char lower = 0x80, upper = 0xBF;
        if (b < 0x80) {
            jbuf_putc(out, (char)b);
            i++;
            continue;
        } else if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            if (b == 0xE0) lower = 0xA0;
            if (b == 0xED) upper = 0x9F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            if (b == 0xF0) lower = 0x90;
            if (b == 0xF4) upper = 0x8F;
        } else {
            jbuf_put(out, replacement, 3);
            i++;
            continue;
        }
        size_t j = i + 1;
        int got = 0;
        while (got < need && j < n && s[j] >= lower && s[j] <= upper) {
            lower = 0x80;
            upper = 0xBF;
            j++;
            got++;
        }
        if (got == need) {
            jbuf_put(out, s + i, j - i);
        } else {
            jbuf_put(out, replacement, 3); /* maximal subpart replaced; the offending byte is read again */
        }
        i = j;
    }
}

/* ---- parser over sanitized UTF-8 ------------------------------------------------------------ */

typedef struct {
    const unsigned char *p;
    const unsigned char *end;
    int depth;
} parser_t;

static void skip_ws(parser_t *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static int parse_value(parser_t *ps, jbuf_t *out, int *truthy);

static int hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void put_utf8(jbuf_t *out, uint32_t cp) {
    char u[4];
    if (cp < 0x80) {
        u[0] = (char)cp;
        jbuf_put(out, u, 1);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        jbuf_put(out, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        jbuf_put(out, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        jbuf_put(out, u, 4);
    }
}

/* Emits one UTF-16 code unit sequence the way JSON.stringify quotes it (without the quotes). */
static void emit_units(jbuf_t *out, const uint16_t *u, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint16_t c = u[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF) {
            put_utf8(out, 0x10000 + (((uint32_t)c - 0xD800) << 10) + (u[i + 1] - 0xDC00));
            i++;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c); /* lone surrogate (well-formed JSON.stringify) */
            jbuf_puts(out, esc);
        } else if (c == '"') {
            jbuf_puts(out, "\\\"");
        } else if (c == '\\') {
            jbuf_puts(out, "\\\\");
        } else if (c == '\b') {
            jbuf_puts(out, "\\b");
        } else if (c == '\f') {
            jbuf_puts(out, "\\f");
        } else if (c == '\n') {
            jbuf_puts(out, "\\n");
        } else if (c == '\r') {
            jbuf_puts(out, "\\r");
        } else if (c == '\t') {
            jbuf_puts(out, "\\t");
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            jbuf_puts(out, esc);
        } else {
            put_utf8(out, c);
        }
    }
}

/* Parses a string (at the opening quote) and writes it quoted, as JSON.stringify would. */
static int parse_string(parser_t *ps, jbuf_t *out, int *nonempty) {
    ps->p++; /* opening quote */
    size_t cap = 16, n = 0;
    uint16_t *units = malloc(cap * sizeof *units);
    if (!units) return JSON_NOMEM;
    int status = JSON_SYNTAX;
    for (;;) {
        if (n + 2 > cap) {
            cap *= 2;
            uint16_t *grown = realloc(units, cap * sizeof *units);
            if (!grown) {
                status = JSON_NOMEM;
                goto done;
            }
            units = grown;
        }
        if (ps->p >= ps->end) goto done;
        unsigned char c = *ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20) goto done; /* raw control characters are not allowed in JSON strings */
        if (c == '\\') {
            if (ps->end - ps->p < 2) goto done;
            unsigned char e = ps->p[1];
            ps->p += 2;
            switch (e) {
            case '"': units[n++] = '"'; break;
            case '\\': units[n++] = '\\'; break;
            case '/': units[n++] = '/'; break;
            case 'b': units[n++] = '\b'; break;
            case 'f': units[n++] = '\f'; break;
            case 'n': units[n++] = '\n'; break;
            case 'r': units[n++] = '\r'; break;
            case 't': units[n++] = '\t'; break;
            case 'u': {
                if (ps->end - ps->p < 4) goto done;
                int v = 0;
                for (int k = 0; k < 4; k++) {
                    int h = hexval(ps->p[k]);
                    if (h < 0) goto done;
                    v = v * 16 + h;
                }
                ps->p += 4;
                units[n++] = (uint16_t)v;
                break;
            }
            default: goto done;
            }
            continue;
        }
        /* one UTF-8 sequence (input is sanitized, so it is well formed) */
        uint32_t cp;
        int len;
        if (c < 0x80) { cp = c; len = 1; }
        else if (c < 0xE0) { cp = c & 0x1F; len = 2; }
        else if (c < 0xF0) { cp = c & 0x0F; len = 3; }
        else { cp = c & 0x07; len = 4; }
        if (ps->end - ps->p < len) goto done;
        for (int k = 1; k < len; k++) cp = (cp << 6) | (ps->p[k] & 0x3F);
        ps->p += len;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            units[n++] = (uint16_t)(0xD800 + (cp >> 10));
            units[n++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
        } else {
            units[n++] = (uint16_t)cp;
        }
    }
    jbuf_putc(out, '"');
    emit_units(out, units, n);
    jbuf_putc(out, '"');
    if (nonempty) *nonempty = n > 0;
    status = JSON_OK;
done:
    free(units);
    return status;
}

/* Number::toString(10) of a finite, non-zero double, ECMAScript 6.1.6.1.20. */
static void emit_number(jbuf_t *out, double v) {
    if (v == 0) {
        jbuf_putc(out, '0'); /* also -0 */
        return;
    }
    if (!isfinite(v)) {
        jbuf_puts(out, "null"); /* e.g. 1e400 parses to Infinity, which JSON.stringify writes as null */
        return;
    }
    if (v < 0) {
        jbuf_putc(out, '-');
        v = -v;
    }
    char sci[40];
    int precision;
    for (precision = 0; precision < 17; precision++) { /* shortest digits that read back exactly */
        snprintf(sci, sizeof sci, "%.*e", precision, v);
        if (strtod(sci, NULL) == v) break;
    }
    char digits[24];
    int k = 0;
    const char *s = sci;
    for (; *s && *s != 'e'; s++) {
        if (*s >= '0' && *s <= '9') digits[k++] = *s;
    }
    while (k > 1 && digits[k - 1] == '0') k--; /* %.Ne may pad */
    int n = atoi(s + 1) + 1;                    /* value = 0.d1d2...dk x 10^n */
    if (k <= n && n <= 21) {
        jbuf_put(out, digits, (size_t)k);
        for (int i = 0; i < n - k; i++) jbuf_putc(out, '0');
    } else if (0 < n && n <= 21) {
        jbuf_put(out, digits, (size_t)n);
        jbuf_putc(out, '.');
        jbuf_put(out, digits + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        jbuf_puts(out, "0.");
        for (int i = 0; i < -n; i++) jbuf_putc(out, '0');
        jbuf_put(out, digits, (size_t)k);
    } else {
        char exp[16];
        jbuf_putc(out, digits[0]);
        if (k > 1) {
            jbuf_putc(out, '.');
            jbuf_put(out, digits + 1, (size_t)(k - 1));
        }
        snprintf(exp, sizeof exp, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
        jbuf_puts(out, exp);
    }
}

static int parse_number(parser_t *ps, jbuf_t *out, int *truthy) {
    const unsigned char *start = ps->p;
    if (ps->p < ps->end && *ps->p == '-') ps->p++;
    if (ps->p >= ps->end) return JSON_SYNTAX;
    if (*ps->p == '0') {
        ps->p++;
    } else if (*ps->p >= '1' && *ps->p <= '9') {
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    } else {
        return JSON_SYNTAX;
    }
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return JSON_SYNTAX;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return JSON_SYNTAX;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    }
    size_t len = (size_t)(ps->p - start);
    char *literal = malloc(len + 1);
    if (!literal) return JSON_NOMEM;
    memcpy(literal, start, len);
    literal[len] = 0;
    double v = strtod(literal, NULL);
    free(literal);
    emit_number(out, v);
    if (truthy) *truthy = v != 0; /* JSON numbers are never NaN */
    return JSON_OK;
}

static int parse_literal(parser_t *ps, jbuf_t *out, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) return JSON_SYNTAX;
    ps->p += n;
    jbuf_puts(out, word);
    return JSON_OK;
}

static int parse_array(parser_t *ps, jbuf_t *out) {
    ps->p++;
    jbuf_putc(out, '[');
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        jbuf_putc(out, ']');
        return JSON_OK;
    }
    for (int first = 1;; first = 0) {
        if (!first) jbuf_putc(out, ',');
        int rc = parse_value(ps, out, NULL);
        if (rc) return rc;
        skip_ws(ps);
        if (ps->p >= ps->end) return JSON_SYNTAX;
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == ']') {
            ps->p++;
            jbuf_putc(out, ']');
            return JSON_OK;
        }
        return JSON_SYNTAX;
    }
}

typedef struct {
    jbuf_t key;   /* the quoted key as JSON.stringify writes it */
    jbuf_t value; /* the serialized value */
    int truthy;
} member_t;

/* "0", "1", ... "4294967294": JavaScript orders these integer-like keys first, ascending. */
static int array_index(const jbuf_t *key, uint32_t *index) {
    size_t n = key->len - 2;
    const char *d = key->data + 1;
    if (n == 0 || n > 10 || (n > 1 && d[0] == '0')) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] < '0' || d[i] > '9') return 0;
        v = v * 10 + (uint64_t)(d[i] - '0');
    }
    if (v > 4294967294ULL) return 0;
    *index = (uint32_t)v;
    return 1;
}

static int key_is(const jbuf_t *key, const char *name) {
    size_t n = strlen(name);
    return key->len == n + 2 && memcmp(key->data + 1, name, n) == 0;
}

static void free_members(member_t *m, size_t n) {
    for (size_t i = 0; i < n; i++) {
        jbuf_free(&m[i].key);
        jbuf_free(&m[i].value);
    }
    free(m);
}

static int parse_object(parser_t *ps, jbuf_t *out, int *first_truthy, int *last_truthy) {
    ps->p++;
    size_t count = 0, cap = 8;
    member_t *members = calloc(cap, sizeof *members);
    if (!members) return JSON_NOMEM;
    int rc = JSON_SYNTAX;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
    } else {
        for (;;) {
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"') goto fail;
            member_t m = {{0}, {0}, 0};
            rc = parse_string(ps, &m.key, NULL);
            if (rc) {
                jbuf_free(&m.key);
                goto fail;
            }
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                jbuf_free(&m.key);
                rc = JSON_SYNTAX;
                goto fail;
            }
            ps->p++;
            rc = parse_value(ps, &m.value, &m.truthy);
            if (rc || m.key.oom || m.value.oom) {
                jbuf_free(&m.key);
                jbuf_free(&m.value);
                if (!rc) rc = JSON_NOMEM;
                goto fail;
            }
            /* a repeated key keeps its first position and takes the last value */
            size_t at = count;
            for (size_t i = 0; i < count; i++) {
                if (members[i].key.len == m.key.len && memcmp(members[i].key.data, m.key.data, m.key.len) == 0) {
                    at = i;
                    break;
                }
            }
            if (at < count) {
                jbuf_free(&members[at].value);
                members[at].value = m.value;
                members[at].truthy = m.truthy;
                jbuf_free(&m.key);
            } else {
                if (count == cap) {
                    member_t *grown = realloc(members, 2 * cap * sizeof *members);
                    if (!grown) {
                        jbuf_free(&m.key);
                        jbuf_free(&m.value);
                        rc = JSON_NOMEM;
                        goto fail;
                    }
                    members = grown;
                    cap *= 2;
                }
                members[count++] = m;
            }
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == '}') {
                ps->p++;
                break;
            }
            rc = JSON_SYNTAX;
            goto fail;
        }
    }
    /* integer-like keys first in ascending order, then the rest in insertion order */
    jbuf_putc(out, '{');
    int wrote = 0;
    uint32_t last = 0;
    int have_last = 0;
    for (;;) { /* repeatedly pick the smallest index above the previous one */
        size_t best = count;
        uint32_t best_index = 0;
        for (size_t i = 0; i < count; i++) {
            uint32_t index;
            if (array_index(&members[i].key, &index) && (!have_last || index > last)
                && (best == count || index < best_index)) {
                best = i;
                best_index = index;
            }
        }
        if (best == count) break;
        if (wrote++) jbuf_putc(out, ',');
        jbuf_put(out, members[best].key.data, members[best].key.len);
        jbuf_putc(out, ':');
        jbuf_put(out, members[best].value.data, members[best].value.len);
        last = best_index;
        have_last = 1;
    }
    for (size_t i = 0; i < count; i++) {
        uint32_t index;
        if (array_index(&members[i].key, &index)) continue;
        if (wrote++) jbuf_putc(out, ',');
        jbuf_put(out, members[i].key.data, members[i].key.len);
        jbuf_putc(out, ':');
        jbuf_put(out, members[i].value.data, members[i].value.len);
        if (first_truthy && key_is(&members[i].key, "firstName")) *first_truthy = members[i].truthy;
        if (last_truthy && key_is(&members[i].key, "lastName")) *last_truthy = members[i].truthy;
    }
    jbuf_putc(out, '}');
    free_members(members, count);
    return JSON_OK;
fail:
    free_members(members, count);
    return rc;
}

static int parse_value(parser_t *ps, jbuf_t *out, int *truthy) {
    int ignored;
    if (!truthy) truthy = &ignored;
    skip_ws(ps);
    if (ps->p >= ps->end) return JSON_SYNTAX;
    if (++ps->depth > MAX_DEPTH) return JSON_SYNTAX;
    int rc;
    switch (*ps->p) {
    case '{': rc = parse_object(ps, out, NULL, NULL); *truthy = 1; break;
    case '[': rc = parse_array(ps, out); *truthy = 1; break;
    case '"': rc = parse_string(ps, out, truthy); break;
    case 't': rc = parse_literal(ps, out, "true"); *truthy = 1; break;
    case 'f': rc = parse_literal(ps, out, "false"); *truthy = 0; break;
    case 'n': rc = parse_literal(ps, out, "null"); *truthy = 0; break;
    default: rc = parse_number(ps, out, truthy); break;
    }
    ps->depth--;
    return rc;
}

json_status_t json_minify(const unsigned char *text, size_t len, jbuf_t *out, int *first_truthy, int *last_truthy) {
    jbuf_t clean = {0};
    utf8_sanitize(text, len, &clean);
    if (clean.oom) {
        jbuf_free(&clean);
        return JSON_NOMEM;
    }
    parser_t ps = {(const unsigned char *)clean.data, (const unsigned char *)clean.data + clean.len, 0};
    *first_truthy = *last_truthy = 0;
    int rc;
    skip_ws(&ps);
    if (ps.p < ps.end && *ps.p == '{') {
        ps.depth = 1;
        rc = parse_object(&ps, out, first_truthy, last_truthy);
    } else {
        rc = parse_value(&ps, out, NULL);
    }
    if (rc == JSON_OK) {
        skip_ws(&ps);
        if (ps.p != ps.end) rc = JSON_SYNTAX;
    }
    if (rc == JSON_OK && out->oom) rc = JSON_NOMEM;
    jbuf_free(&clean);
    return (json_status_t)rc;
}

/* ---- the common case: a value this program stored, already minified ---------------------------- */

#define QUICK_DEPTH 64
#define QUICK_MEMBERS 16

static int quick_value(const unsigned char **p, const unsigned char *end, int depth);

/* A string of printable ASCII, no escapes: JSON.stringify writes it back unchanged. */
static int quick_string(const unsigned char **p, const unsigned char *end) {
    const unsigned char *s = *p + 1;
    while (s < end && *s != '"') {
        if (*s < 0x20 || *s > 0x7E || *s == '\\') return 0;
        s++;
    }
    if (s >= end) return 0;
    *p = s + 1;
    return 1;
}

/* 0 or -?[1-9][0-9]{0,14}: exact as a double and printed back digit for digit (no "-0": it prints as 0). */
static int quick_number(const unsigned char **p, const unsigned char *end) {
    const unsigned char *s = *p;
    if (s < end && *s == '-') s++;
    if (s >= end || *s < '0' || *s > '9') return 0;
    if (*s == '0') {
        if (s != *p) return 0;
        s++;
    } else {
        const unsigned char *digits = s;
        while (s < end && *s >= '0' && *s <= '9') s++;
        if (s - digits > 15) return 0;
    }
    if (s < end && (*s == '.' || *s == 'e' || *s == 'E')) return 0;
    *p = s;
    return 1;
}

static int quick_word(const unsigned char **p, const unsigned char *end, const char *word, size_t n) {
    if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0) return 0;
    *p += n;
    return 1;
}

static int quick_object(const unsigned char **p, const unsigned char *end, int depth) {
    const unsigned char *keys[QUICK_MEMBERS];
    size_t lens[QUICK_MEMBERS];
    size_t count = 0;
    const unsigned char *s = *p + 1;
    if (s < end && *s == '}') {
        *p = s + 1;
        return 1;
    }
    for (;;) {
        if (s >= end || *s != '"' || count == QUICK_MEMBERS) return 0;
        const unsigned char *key = s + 1;
        if (!quick_string(&s, end)) return 0;
        size_t len = (size_t)(s - 1 - key);
        if (len > 0 && *key >= '0' && *key <= '9') return 0; /* integer-like keys would move to the front */
        for (size_t i = 0; i < count; i++) {
            if (lens[i] == len && memcmp(keys[i], key, len) == 0) return 0; /* a repeated key collapses */
        }
        keys[count] = key;
        lens[count++] = len;
        if (s >= end || *s != ':') return 0;
        s++;
        if (!quick_value(&s, end, depth)) return 0;
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        if (s < end && *s == '}') {
            *p = s + 1;
            return 1;
        }
        return 0;
    }
}

static int quick_array(const unsigned char **p, const unsigned char *end, int depth) {
    const unsigned char *s = *p + 1;
    if (s < end && *s == ']') {
        *p = s + 1;
        return 1;
    }
    for (;;) {
        if (!quick_value(&s, end, depth)) return 0;
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        if (s < end && *s == ']') {
            *p = s + 1;
            return 1;
        }
        return 0;
    }
}

static int quick_value(const unsigned char **p, const unsigned char *end, int depth) {
    if (*p >= end || depth >= QUICK_DEPTH) return 0;
    switch (**p) {
    case '{': return quick_object(p, end, depth + 1);
    case '[': return quick_array(p, end, depth + 1);
    case '"': return quick_string(p, end);
    case 't': return quick_word(p, end, "true", 4);
    case 'f': return quick_word(p, end, "false", 5);
    case 'n': return quick_word(p, end, "null", 4);
    default: return quick_number(p, end);
    }
}

int json_is_minified(const unsigned char *text, size_t len) {
    const unsigned char *p = text, *end = text + len;
    return quick_value(&p, end, 0) && p == end;
}
