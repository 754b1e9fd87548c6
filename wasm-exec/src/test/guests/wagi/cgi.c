/*
 * WAGI conformance guest: a plain WASI command (stdio only). The X-Mode request header
 * (HTTP_X_MODE) picks what it does, so one module drives every executor rule:
 *   env     dump argv and the whole environment, one "argv[i]=..." / "NAME=value" line each
 *   raw     copy stdin to stdout verbatim (the test supplies the whole CGI output)
 *   exit    answer 200, then exit with the code in HTTP_X_EXIT
 *   flood   answer 200, then write HTTP_X_BYTES bytes of body
 *   loop    spin forever (deadline)
 *   stderr  write two stderr lines, then answer 200
 *   empty   write nothing
 *   file    fopen(HTTP_X_PATH, HTTP_X_FOPEN or "r"); 200 with the content (or "written"),
 *           or 404 with "errno=<name>"
 *   hog     malloc 1 MiB blocks until it fails, then answer 200 with the count
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static const char *env(const char *name, const char *fallback) {
    const char *value = getenv(name);
    return value ? value : fallback;
}

static const char *errno_name(int e) {
    switch (e) {
        case ENOENT: return "ENOENT";
        case EACCES: return "EACCES";
        case EPERM: return "EPERM";
        case EROFS: return "EROFS";
        case ENOTCAPABLE: return "ENOTCAPABLE";
        case EISDIR: return "EISDIR";
        case ELOOP: return "ELOOP";
        case EBADF: return "EBADF";
        default: return "other";
    }
}

static int file_mode(void) {
    const char *path = env("HTTP_X_PATH", "");
    const char *mode = env("HTTP_X_FOPEN", "r");
    errno = 0;
    FILE *f = fopen(path, mode);
    if (f == NULL) {
        printf("Status: 404 Not Found\nContent-Type: text/plain\n\nerrno=%s\n", errno_name(errno));
        return 0;
    }
    if (mode[0] != 'r') {
        int put = fputs("overwritten\n", f);
        int closed = fclose(f);
        if (put < 0 || closed != 0) {
            printf("Status: 403 Forbidden\nContent-Type: text/plain\n\nwrite failed errno=%s\n", errno_name(errno));
        } else {
            printf("Content-Type: text/plain\n\nwritten\n");
        }
        return 0;
    }
    printf("Content-Type: text/plain\n\n");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        fwrite(buf, 1, n, stdout);
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    const char *mode = env("HTTP_X_MODE", "env");
    if (strcmp(mode, "env") == 0) {
        printf("Content-Type: text/plain\n\n");
        printf("argc=%d\n", argc);
        for (int i = 0; i < argc; i++) {
            printf("argv[%d]=%s\n", i, argv[i]);
        }
        for (char **e = environ; *e != NULL; e++) {
            printf("%s\n", *e);
        }
    } else if (strcmp(mode, "raw") == 0) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
            fwrite(buf, 1, n, stdout);
        }
    } else if (strcmp(mode, "exit") == 0) {
        printf("Content-Type: text/plain\n\nabout to exit\n");
        fflush(stdout);
        exit(atoi(env("HTTP_X_EXIT", "0")));
    } else if (strcmp(mode, "flood") == 0) {
        long long bytes = strtoll(env("HTTP_X_BYTES", "0"), NULL, 10);
        printf("Content-Type: text/plain\n\n");
        static char chunk[8192];
        memset(chunk, 'x', sizeof chunk);
        while (bytes > 0) {
            size_t n = bytes < (long long)sizeof chunk ? (size_t)bytes : sizeof chunk;
            if (fwrite(chunk, 1, n, stdout) != n) {
                return 3;
            }
            bytes -= (long long)n;
        }
    } else if (strcmp(mode, "loop") == 0) {
        volatile unsigned long spins = 0;
        for (;;) {
            spins++;
        }
    } else if (strcmp(mode, "stderr") == 0) {
        fprintf(stderr, "first complaint\nsecond complaint\n");
        printf("Content-Type: text/plain\n\nlogged\n");
    } else if (strcmp(mode, "empty") == 0) {
        return 0;
    } else if (strcmp(mode, "file") == 0) {
        return file_mode();
    } else if (strcmp(mode, "hog") == 0) {
        /* keep and touch every block, so the compiler cannot drop the allocations */
        static volatile char *held[4096];
        int blocks = 0;
        while (blocks < 4096 && (held[blocks] = malloc(1 << 20)) != NULL) {
            held[blocks][0] = 1;
            blocks++;
        }
        printf("Content-Type: text/plain\n\nblocks=%d\n", blocks);
    } else {
        printf("Status: 400 Bad Request\nContent-Type: text/plain\n\nunknown mode %s\n", mode);
    }
    return 0;
}

/* A second entry point for the executor's `entrypoint` option. */
__attribute__((export_name("alt_entry"))) void alt_entry(void) {
    printf("Content-Type: text/plain\n\nalt entry\n");
    fflush(stdout);
}
