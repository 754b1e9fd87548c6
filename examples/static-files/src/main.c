/*
 * Serves the component's files (mounted read-only at /static by `files` in spin.toml) with plain stdio.
 * GET /index.html -> /static/index.html, GET / -> /static/index.html. Paths with ".." are refused here too,
 * though the runtime already keeps the guest inside its mounted files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env(const char *name, const char *fallback) {
    const char *value = getenv(name);
    return value && *value ? value : fallback;
}

static const char *content_type(const char *path) {
    const char *dot = strrchr(path, '.');
    if (dot == NULL) return "application/octet-stream";
    if (strcmp(dot, ".html") == 0) return "text/html; charset=utf-8";
    if (strcmp(dot, ".css") == 0) return "text/css; charset=utf-8";
    if (strcmp(dot, ".txt") == 0) return "text/plain; charset=utf-8";
    if (strcmp(dot, ".json") == 0) return "application/json";
    return "application/octet-stream";
}

static int not_found(const char *what) {
    printf("Status: 404 Not Found\nContent-Type: text/plain; charset=utf-8\n\n%s: not found\n", what);
    return 0;
}

int main(void) {
    const char *info = env("PATH_INFO", "/");
    if (strstr(info, "..") != NULL) {
        return not_found(info);
    }
    char path[1024];
    const char *file = strcmp(info, "/") == 0 ? "/index.html" : info;
    if (snprintf(path, sizeof path, "%s%s", env("DOC_ROOT", "/static"), file) >= (int)sizeof path) {
        return not_found(info);
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return not_found(info);
    }
    printf("Content-Type: %s\nX-Site-Name: %s\n\n", content_type(path), env("SITE_NAME", "static"));
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        fwrite(buf, 1, n, stdout);
    }
    fclose(f);
    return 0;
}
